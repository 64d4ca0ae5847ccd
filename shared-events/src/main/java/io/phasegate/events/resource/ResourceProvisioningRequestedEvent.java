package io.phasegate.events.resource;

import java.time.Instant;
import java.util.Map;
import org.axonframework.serialization.Revision;

/**
 * A resource was requested; the provisioning process now calls the dock's adapter with {@code operationId} as its
 * idempotency key. Revisions count accepted changes: 1 here, +1 for each accepted update or deprovision request.
 */
@Revision("1")
public record ResourceProvisioningRequestedEvent(String resourceId, String orgId, String dockId, ResourceType type,
                                                 String name, Map<String, Object> spec, ProvisioningSource source,
                                                 String operationId, long revision, String requestedBy,
                                                 Instant requestedAt) {
    public ResourceProvisioningRequestedEvent {
        spec = spec == null ? Map.of() : Map.copyOf(spec);
    }
}
