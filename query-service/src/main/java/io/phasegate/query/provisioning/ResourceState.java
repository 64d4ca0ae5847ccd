package io.phasegate.query.provisioning;

import java.time.Instant;
import java.util.Map;

/**
 * A resource as {@link ResourceFold} computes it from the resource aggregate's events: the columns of a
 * {@code resources} row and, in {@link #operation}, its current (or last) provisioning operation, a
 * {@code provisioning_operations} row. (Not to be confused with {@link io.phasegate.events.resource.ResourceState},
 * the lifecycle enum, whose wire value is {@link #state}.)
 *
 * @param type            a {@link io.phasegate.events.resource.ResourceType} wire value
 * @param source          a {@link io.phasegate.events.resource.ProvisioningSource} wire value
 * @param state           a {@link io.phasegate.events.resource.ResourceState} wire value
 * @param lastError       why the last operation failed for good; cleared when an operation succeeds
 * @param createdPosition the global position of the event that created the resource (the list order and cursor)
 * @param updatedAt       the time of the last event that changed the resource
 * @param operation       the current or last operation; {@code null} for an imported resource before any operation
 * @param position        the global position of the last event folded in
 */
public record ResourceState(
        String resourceId,
        String orgId,
        String dockId,
        String type,
        String name,
        Map<String, Object> spec,
        String source,
        String providerResourceId,
        String state,
        long revision,
        Map<String, String> attributes,
        String lastError,
        String createdBy,
        Instant createdAt,
        long createdPosition,
        Instant provisionedAt,
        Instant updatedAt,
        Instant deprovisionedAt,
        Operation operation,
        long position) {

    public ResourceState {
        spec = spec == null ? Map.of() : Map.copyOf(spec);
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }

    /**
     * A provisioning operation of the resource.
     *
     * @param kind              a {@link io.phasegate.events.resource.ResourceOperation} wire value
     * @param status            {@code in_progress}, {@code succeeded} or {@code failed}
     * @param revision          the resource revision it applies
     * @param attempts          provider calls made (failed ones plus the successful one)
     * @param requestedPosition the global position of the request (the list order and cursor)
     * @param position          the global position of the last event applied to it
     */
    public record Operation(String operationId, String kind, String status, long revision, int attempts,
                            String lastError, Instant nextAttemptAt, String requestedBy, Instant requestedAt,
                            long requestedPosition, Instant completedAt, long position) {

        Operation attemptFailed(int attempt, String reason, Instant nextAttemptAt, long position) {
            return new Operation(operationId, kind, status, revision, Math.max(attempts, attempt), reason,
                    nextAttemptAt, requestedBy, requestedAt, requestedPosition, completedAt, position);
        }

        Operation succeeded(Instant at, long position) {
            return new Operation(operationId, kind, ResourceStatuses.SUCCEEDED, revision, attempts + 1, lastError,
                    null, requestedBy, requestedAt, requestedPosition, at, position);
        }

        Operation failed(int attempts, String reason, Instant at, long position) {
            return new Operation(operationId, kind, ResourceStatuses.FAILED, revision,
                    Math.max(this.attempts, attempts), reason, null, requestedBy, requestedAt, requestedPosition, at,
                    position);
        }
    }

    /** This resource with new values of the fields that change after creation. */
    ResourceState next(String dockId, Map<String, Object> spec, String providerResourceId, String state,
                       long revision, Map<String, String> attributes, String lastError, Instant provisionedAt,
                       Instant updatedAt, Instant deprovisionedAt, Operation operation, long position) {
        return new ResourceState(resourceId, orgId, dockId, type, name, spec, source, providerResourceId, state,
                revision, attributes, lastError, createdBy, createdAt, createdPosition, provisionedAt, updatedAt,
                deprovisionedAt, operation, position);
    }
}
