package io.phasegate.query.provisioning;

import io.phasegate.events.dock.CredentialRetiredEvent;
import io.phasegate.events.dock.CredentialRotatedEvent;
import io.phasegate.events.dock.CredentialRotationFailedEvent;
import io.phasegate.events.dock.CredentialRotationStartedEvent;
import io.phasegate.events.dock.DockCredentialDecryptedEvent;
import io.phasegate.events.dock.DockDeletedEvent;
import io.phasegate.events.dock.DockRegisteredEvent;
import io.phasegate.events.dock.FindDockQuery;
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
 * The dock read model ({@code docks} table): one row per dock, what {@link DockFold} computes from the dock's
 * events. No credential material is stored: only the credential version and the rotation's progress.
 *
 * <p>Idempotent and replay-safe: each event's exact global position is read from the event store
 * ({@link EventPositions}); the fold applies an event only above the row's {@code position} and updates are guarded
 * by it as well, so a redelivered event changes nothing. A reset empties the table. After a change the dock's view is
 * emitted to the subscribers of its {@link FindDockQuery} (not while replaying).
 */
@Component
@ProcessingGroup(DockProjection.GROUP)
public class DockProjection {

    public static final String GROUP = "docks";

    private final JdbcTemplate jdbc;
    private final DockRows rows;
    private final EventPositions positions;
    private final QueryUpdateEmitter updates;

    DockProjection(JdbcTemplate jdbc, DockRows rows, EventPositions positions, QueryUpdateEmitter updates) {
        this.jdbc = jdbc;
        this.rows = rows;
        this.positions = positions;
        this.updates = updates;
    }

    @EventHandler
    void on(DockRegisteredEvent event, EventMessage<?> message, TrackingToken token) {
        apply(event.dockId(), event, message, token);
    }

    @EventHandler
    void on(CredentialRotationStartedEvent event, EventMessage<?> message, TrackingToken token) {
        apply(event.dockId(), event, message, token);
    }

    @EventHandler
    void on(CredentialRotatedEvent event, EventMessage<?> message, TrackingToken token) {
        apply(event.dockId(), event, message, token);
    }

    @EventHandler
    void on(CredentialRotationFailedEvent event, EventMessage<?> message, TrackingToken token) {
        apply(event.dockId(), event, message, token);
    }

    @EventHandler
    void on(CredentialRetiredEvent event, EventMessage<?> message, TrackingToken token) {
        apply(event.dockId(), event, message, token);
    }

    @EventHandler
    void on(DockCredentialDecryptedEvent event, EventMessage<?> message, TrackingToken token) {
        apply(event.dockId(), event, message, token);
    }

    @EventHandler
    void on(DockDeletedEvent event, EventMessage<?> message, TrackingToken token) {
        apply(event.dockId(), event, message, token);
    }

    @ResetHandler
    void reset() {
        jdbc.update("DELETE FROM docks");
    }

    private void apply(String dockId, Object event, EventMessage<?> message, TrackingToken token) {
        DockState before = rows.find(dockId).orElse(null);
        DockState after = DockFold.apply(before, event, positions.of(message, token));
        if (after == before) {
            return;
        }
        if (before == null) {
            rows.insert(after);
        } else {
            rows.update(after);
        }
        if (!Replays.replaying()) {
            updates.emit(FindDockQuery.class,
                    q -> after.dockId().equals(q.dockId()) && after.orgId().equals(q.orgId()), DockRows.view(after));
        }
    }
}
