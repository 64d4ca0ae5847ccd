package io.phasegate.events.resource;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/** A deprovision was accepted at {@code revision}; {@code providerResourceId} is {@code null} if none was created. */
@Revision("1")
public record ResourceDeprovisioningRequestedEvent(String resourceId, String orgId, String dockId,
                                                   String operationId, String providerResourceId, long revision,
                                                   String requestedBy, Instant requestedAt) {
}
