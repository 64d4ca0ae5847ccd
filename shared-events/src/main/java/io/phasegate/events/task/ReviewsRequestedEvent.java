package io.phasegate.events.task;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/**
 * Entering {@code phase} requested {@code count} reviews from holders of {@code role}
 * ({@code on_enter.request_reviews}). Each entry into the phase starts a new round: {@code reviews_approved} counts
 * only the reviews of the latest round.
 */
@Revision("1")
public record ReviewsRequestedEvent(String taskId, String orgId, String phase, int round, int count, String role,
                                    Instant requestedAt) {
}
