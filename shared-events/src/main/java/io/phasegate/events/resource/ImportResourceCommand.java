package io.phasegate.events.resource;

import java.util.Map;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Brings an existing provider resource under management without a provider call.
 *
 * @param source {@code manual} or {@code import}
 */
public record ImportResourceCommand(@TargetAggregateIdentifier String resourceId, String orgId, String dockId,
                                    ResourceType type, String name, Map<String, Object> spec,
                                    String providerResourceId, ProvisioningSource source, String importedBy) {
    public ImportResourceCommand {
        spec = spec == null ? Map.of() : Map.copyOf(spec);
    }
}
