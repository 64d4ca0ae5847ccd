package io.phasegate.events.resource;

import java.time.Instant;
import java.util.Map;
import org.axonframework.serialization.Revision;

/** An existing provider resource came under management; it starts {@code provisioned} at revision 1. */
@Revision("1")
public record ResourceImportedEvent(String resourceId, String orgId, String dockId, ResourceType type, String name,
                                    Map<String, Object> spec, String providerResourceId, ProvisioningSource source,
                                    String importedBy, Instant importedAt) {
    public ResourceImportedEvent {
        spec = spec == null ? Map.of() : Map.copyOf(spec);
    }
}
