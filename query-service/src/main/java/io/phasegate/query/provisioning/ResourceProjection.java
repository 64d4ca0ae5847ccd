package io.phasegate.query.provisioning;

import io.phasegate.events.resource.FindProvisionStatusQuery;
import io.phasegate.events.resource.FindResourceQuery;
import io.phasegate.events.resource.ResourceDeprovisionedEvent;
import io.phasegate.events.resource.ResourceDeprovisioningRequestedEvent;
import io.phasegate.events.resource.ResourceImportedEvent;
import io.phasegate.events.resource.ResourceOperationAttemptFailedEvent;
import io.phasegate.events.resource.ResourceOperationFailedEvent;
import io.phasegate.events.resource.ResourceProvisionedEvent;
import io.phasegate.events.resource.ResourceProvisioningRequestedEvent;
import io.phasegate.events.resource.ResourceUpdateRequestedEvent;
import io.phasegate.events.resource.ResourceUpdatedEvent;
import io.phasegate.query.position.EventPositions;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.queryhandling.QueryUpdateEmitter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The resource read model: the {@code resources} table (one row per resource) and the
 * {@code provisioning_operations} table (one row per provision, update or deprovision operation). Both are what
 * {@link ResourceFold} computes from the resource's events — the fold the as-of reconstruction ({@link ResourceAsOf})
 * uses too, so both agree by construction.
 *
 * <p>Idempotent and replay-safe: each event's exact global position is read from the event store
 * ({@link EventPositions}); the fold applies an event only above the resource's {@code position}, and the row updates
 * are guarded by {@code position} as well, so a redelivered event changes nothing. A reset empties both tables.
 * After a change the resource's view and its provisioning status are emitted to the subscribers of its
 * {@link FindResourceQuery} and {@link FindProvisionStatusQuery} (not while replaying: a rebuild would take
 * subscribers back in time).
 */
@Component
@ProcessingGroup(ResourceProjection.GROUP)
public class ResourceProjection {

    public static final String GROUP = "resources";

    private final JdbcTemplate jdbc;
    private final ResourceRows rows;
    private final EventPositions positions;
    private final QueryUpdateEmitter updates;

    ResourceProjection(JdbcTemplate jdbc, ResourceRows rows, EventPositions positions, QueryUpdateEmitter updates) {
        this.jdbc = jdbc;
        this.rows = rows;
        this.positions = positions;
        this.updates = updates;
    }

    @EventHandler
    void on(ResourceProvisioningRequestedEvent event, EventMessage<?> message, TrackingToken token) {
        apply(event.resourceId(), event, message, token);
    }

    @EventHandler
    void on(ResourceImportedEvent event, EventMessage<?> message, TrackingToken token) {
        apply(event.resourceId(), event, message, token);
    }

    @EventHandler
    void on(ResourceProvisionedEvent event, EventMessage<?> message, TrackingToken token) {
        apply(event.resourceId(), event, message, token);
    }

    @EventHandler
    void on(ResourceUpdateRequestedEvent event, EventMessage<?> message, TrackingToken token) {
        apply(event.resourceId(), event, message, token);
    }

    @EventHandler
    void on(ResourceUpdatedEvent event, EventMessage<?> message, TrackingToken token) {
        apply(event.resourceId(), event, message, token);
    }

    @EventHandler
    void on(ResourceDeprovisioningRequestedEvent event, EventMessage<?> message, TrackingToken token) {
        apply(event.resourceId(), event, message, token);
    }

    @EventHandler
    void on(ResourceDeprovisionedEvent event, EventMessage<?> message, TrackingToken token) {
        apply(event.resourceId(), event, message, token);
    }

    @EventHandler
    void on(ResourceOperationAttemptFailedEvent event, EventMessage<?> message, TrackingToken token) {
        apply(event.resourceId(), event, message, token);
    }

    @EventHandler
    void on(ResourceOperationFailedEvent event, EventMessage<?> message, TrackingToken token) {
        apply(event.resourceId(), event, message, token);
    }

    @ResetHandler
    void reset() {
        jdbc.update("DELETE FROM provisioning_operations");
        jdbc.update("DELETE FROM resources");
    }

    private void apply(String resourceId, Object event, EventMessage<?> message, TrackingToken token) {
        ResourceState before = rows.find(resourceId).orElse(null);
        ResourceState after = ResourceFold.apply(before, event, positions.of(message, token));
        if (after == before) {
            return;
        }
        rows.write(before, after);
        if (!Replays.replaying()) {
            updates.emit(FindResourceQuery.class,
                    q -> after.resourceId().equals(q.resourceId()) && after.orgId().equals(q.orgId()),
                    ResourceRows.view(after));
            updates.emit(FindProvisionStatusQuery.class,
                    q -> after.resourceId().equals(q.resourceId()) && after.orgId().equals(q.orgId()),
                    ResourceRows.status(after));
        }
    }
}
