package io.phasegate.command.adapter;

import io.phasegate.events.resource.ResourceType;
import java.util.Map;

/**
 * What a provision or update asks of the provider.
 *
 * @param idempotencyKey the operation id: the provider must treat repeated calls with the same key as one
 */
public record ResourceRequest(String resourceId, String orgId, ResourceType type, String name,
                              Map<String, Object> spec, String idempotencyKey) {
    public ResourceRequest {
        spec = spec == null ? Map.of() : Map.copyOf(spec);
    }
}
