package io.phasegate.events.resource;

import java.time.Instant;
import java.util.Map;
import org.axonframework.serialization.Revision;

/** The provider created the resource; {@code attributes} are what it reported (address, ...; never secrets). */
@Revision("1")
public record ResourceProvisionedEvent(String resourceId, String orgId, String operationId,
                                       String providerResourceId, long revision, Map<String, String> attributes,
                                       Instant provisionedAt) {
    public ResourceProvisionedEvent {
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }
}
