package io.phasegate.events.resource;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/** The provider deleted the resource. */
@Revision("1")
public record ResourceDeprovisionedEvent(String resourceId, String orgId, String operationId, long revision,
                                         Instant deprovisionedAt) {
}
