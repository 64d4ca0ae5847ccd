package io.phasegate.query.position;

import io.phasegate.platform.axon.EventStorePositions;
import io.phasegate.platform.storage.StorageProperties;
import java.util.List;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GapAwareTrackingToken;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventhandling.WrappedToken;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The exact global position of an event being handled.
 *
 * <p>A {@link GapAwareTrackingToken}'s {@code position()} is the highest index the processor has seen, which is the
 * event's own position except when the event fills a gap: an event whose transaction committed after a later one
 * was already read (concurrent appends) arrives with the token's (higher) index. The audit trail keys its records
 * by position, so with the JDBC event store the position is read from the store by the event's identifier (unique,
 * indexed). With Axon Server the token's position is exact (its stream has no gaps; {@link EventStorePositions} numbers it from 1
 * as the JDBC store does). Used by the audit trail and the
 * provisioning projections (see docs/known-issues.md for the projections that do not use it yet).
 */
@Component
public class EventPositions {

    private final JdbcTemplate jdbc;
    private final boolean jdbcEventStore;
    private final String eventTable;

    public EventPositions(JdbcTemplate jdbc, StorageProperties storage) {
        this.jdbc = jdbc;
        this.jdbcEventStore = storage.storageMode().jdbcEventStore();
        this.eventTable = storage.eventTable("domain_event_entry");
    }

    public long of(EventMessage<?> message, TrackingToken token) {
        TrackingToken lower = WrappedToken.unwrapLowerBound(token);
        if (jdbcEventStore && lower instanceof GapAwareTrackingToken) {
            List<Long> stored = jdbc.queryForList("SELECT global_index FROM " + eventTable
                    + " WHERE event_identifier = ?", Long.class, message.getIdentifier());
            if (!stored.isEmpty()) {
                return stored.get(0);
            }
        }
        return EventStorePositions.position(lower).orElseThrow(
                () -> new IllegalStateException("No global position for event " + message.getIdentifier()));
    }
}
