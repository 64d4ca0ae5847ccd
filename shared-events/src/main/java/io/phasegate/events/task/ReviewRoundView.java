package io.phasegate.events.task;

import java.time.Instant;
import java.util.List;

/**
 * A review round of a task: entering {@code phase} requested {@code requestedCount} reviews from holders of
 * {@code role}; {@code submitted} are the reviews submitted in this round, oldest first. ({@code requestedCount} 0,
 * {@code role} and {@code requestedAt} null for reviews of a round whose request the query side has not seen.)
 */
public record ReviewRoundView(int round, String phase, int requestedCount, String role, Instant requestedAt,
                              List<ReviewView> submitted) {
    public ReviewRoundView {
        submitted = submitted == null ? List.of() : List.copyOf(submitted);
    }
}
