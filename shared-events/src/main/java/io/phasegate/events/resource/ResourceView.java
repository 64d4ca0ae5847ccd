package io.phasegate.events.resource;

import java.time.Instant;
import java.util.Map;

/**
 * Query result: a resource as the provisioning read model holds it (SPEC §2.7).
 *
 * @param type               a {@link ResourceType} wire value
 * @param provisioningSource a {@link ProvisioningSource} wire value
 * @param state              a {@link ResourceState} wire value
 * @param revision           the count of accepted changes (the {@code ETag} of the resource)
 * @param attributes         what the provider reported (address, ...)
 * @param lastError          why the last operation failed for good, or {@code null}
 * @param operationId        the current (or last) operation, or {@code null} (an imported resource)
 * @param position           the global position of the last event applied
 */
public record ResourceView(String resourceId, String orgId, String dockId, String type, String name,
                           Map<String, Object> spec, String provisioningSource, String providerResourceId,
                           String state, long revision, Map<String, String> attributes, String lastError,
                           String createdBy, Instant createdAt, Instant provisionedAt, Instant updatedAt,
                           Instant deprovisionedAt, String operationId, long position) {
}
