package io.phasegate.events.resource;

import java.time.Instant;
import java.util.Map;
import org.axonframework.serialization.Revision;

/** An update was accepted at {@code revision}; the provisioning process applies {@code spec} at the provider. */
@Revision("1")
public record ResourceUpdateRequestedEvent(String resourceId, String orgId, String dockId, String operationId,
                                           Map<String, Object> spec, long revision, String requestedBy,
                                           Instant requestedAt) {
    public ResourceUpdateRequestedEvent {
        spec = spec == null ? Map.of() : Map.copyOf(spec);
    }
}
