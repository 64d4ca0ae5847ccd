package io.phasegate.events.resource;

import java.util.Map;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Provisions a new resource through a dock of the same organisation (provisioning source {@code api}). */
public record ProvisionResourceCommand(@TargetAggregateIdentifier String resourceId, String orgId, String dockId,
                                       ResourceType type, String name, Map<String, Object> spec, String requestedBy) {
    public ProvisionResourceCommand {
        spec = spec == null ? Map.of() : Map.copyOf(spec);
    }
}
