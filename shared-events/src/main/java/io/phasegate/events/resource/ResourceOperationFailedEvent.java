package io.phasegate.events.resource;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/** An operation failed for good; the resource is now {@code failed} with {@code reason}. */
@Revision("1")
public record ResourceOperationFailedEvent(String resourceId, String orgId, String operationId,
                                           ResourceOperation operation, String reason, int attempts, long revision,
                                           Instant failedAt) {
}
