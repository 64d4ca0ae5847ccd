package io.phasegate.events.resource;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/** One provider call of an operation failed (error or time-out); another attempt follows at {@code nextAttemptAt}. */
@Revision("1")
public record ResourceOperationAttemptFailedEvent(String resourceId, String orgId, String operationId,
                                                  ResourceOperation operation, int attempt, String reason,
                                                  Instant nextAttemptAt, Instant failedAt) {
}
