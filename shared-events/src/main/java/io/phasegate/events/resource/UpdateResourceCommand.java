package io.phasegate.events.resource;

import java.util.Map;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Changes a provisioned resource's spec; refused with a conflict unless {@code expectedRevision} is current. */
public record UpdateResourceCommand(@TargetAggregateIdentifier String resourceId, String orgId,
                                    Map<String, Object> spec, long expectedRevision, String requestedBy) {
    public UpdateResourceCommand {
        spec = spec == null ? Map.of() : Map.copyOf(spec);
    }
}
