package io.phasegate.events.task;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/** A review of round {@code round} in {@code phase}: {@code verdict} is {@code approve} or {@code changes_requested}. */
@Revision("1")
public record ReviewSubmittedEvent(String taskId, String orgId, String phase, int round, String reviewId,
                                   String reviewerId, String verdict, String comments, Instant submittedAt) {
}
