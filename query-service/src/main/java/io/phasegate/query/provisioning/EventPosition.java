package io.phasegate.query.provisioning;

import io.phasegate.platform.storage.StorageProperties;
import java.util.List;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GapAwareTrackingToken;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventhandling.WrappedToken;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The exact global position of an event being handled by the provisioning projections (as the audit trail's
 * {@code EventPositions}; see docs/known-issues.md): a gap-aware token's {@code position()} is the highest index seen,
 * too high for an event that fills a gap, so with the JDBC event store the event's own {@code global_index} is read
 * by its identifier. With Axon Server the token's position is exact.
 */
@Component
class EventPosition {

    private final JdbcTemplate jdbc;
    private final boolean jdbcEventStore;
    private final String eventTable;

    EventPosition(JdbcTemplate jdbc, StorageProperties storage) {
        this.jdbc = jdbc;
        this.jdbcEventStore = storage.storageMode().jdbcEventStore();
        this.eventTable = storage.eventTable("domain_event_entry");
    }

    long of(EventMessage<?> message, TrackingToken token) {
        TrackingToken lower = WrappedToken.unwrapLowerBound(token);
        if (jdbcEventStore && lower instanceof GapAwareTrackingToken) {
            List<Long> stored = jdbc.queryForList("SELECT global_index FROM " + eventTable
                    + " WHERE event_identifier = ?", Long.class, message.getIdentifier());
            if (!stored.isEmpty()) {
                return stored.get(0);
            }
        }
        if (lower == null || lower.position().isEmpty()) {
            throw new IllegalStateException("No global position for event " + message.getIdentifier());
        }
        return lower.position().getAsLong();
    }
}
