package io.phasegate.events.resource;

import java.util.Map;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Sent by the provisioning process when the provider finished the operation. */
public record CompleteResourceOperationCommand(@TargetAggregateIdentifier String resourceId, String orgId,
                                               String operationId, String providerResourceId,
                                               Map<String, String> attributes) {
    public CompleteResourceOperationCommand {
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }
}
