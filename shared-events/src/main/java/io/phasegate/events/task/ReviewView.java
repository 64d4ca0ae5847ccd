package io.phasegate.events.task;

import java.time.Instant;

/** A submitted review: {@code verdict} is {@code approve} or {@code changes_requested}. */
public record ReviewView(String reviewId, int round, String phase, String reviewerId, String verdict,
                         String comments, Instant submittedAt) {
}
