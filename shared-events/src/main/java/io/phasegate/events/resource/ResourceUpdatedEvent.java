package io.phasegate.events.resource;

import java.time.Instant;
import java.util.Map;
import org.axonframework.serialization.Revision;

/** The provider applied the update of {@code revision}. */
@Revision("1")
public record ResourceUpdatedEvent(String resourceId, String orgId, String operationId, long revision,
                                   Map<String, String> attributes, Instant updatedAt) {
    public ResourceUpdatedEvent {
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }
}
