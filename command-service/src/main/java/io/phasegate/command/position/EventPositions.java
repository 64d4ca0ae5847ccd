package io.phasegate.command.position;

import io.phasegate.platform.axon.EventStorePositions;
import io.phasegate.platform.storage.StorageProperties;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Resolves an event, known by aggregate and sequence number, to its global position in the JDBC event store (the
 * {@code global_index}), which is what queries accept as {@code min_position} and SSE uses as event id.
 */
@Component
public class EventPositions {

    private final JdbcTemplate jdbc;
    private final String sql;
    private final boolean jdbcEventStore;
    private final ObjectProvider<EventStore> eventStore;

    public EventPositions(JdbcTemplate jdbc, StorageProperties storage, ObjectProvider<EventStore> eventStore) {
        this.jdbc = jdbc;
        this.jdbcEventStore = storage.storageMode().jdbcEventStore();
        this.eventStore = eventStore;
        this.sql = "SELECT global_index FROM " + storage.eventTable("domain_event_entry")
                + " WHERE aggregate_identifier = ? AND sequence_number = ?";
    }

    /**
     * The global position to answer for a command that completed: with the JDBC store, that of its last event
     * ({@code -1} for none). With Axon Server, whose stream positions cannot be looked up by aggregate and sequence
     * number and whose command may have been handled by another instance (no local receipt), the store's head right
     * after the command completed: at or after the command's last event, so waiting for it still reads the command's
     * writes (docs/adr/0013-axon-server-mode.md).
     */
    public long positionAfter(Optional<CommandReceipts.Receipt> receipt) {
        if (!jdbcEventStore) {
            TrackingToken head = eventStore.getObject().createHeadToken();
            return head == null ? -1L : EventStorePositions.position(head).orElse(-1L);
        }
        return receipt.map(this::positionOf).map(p -> p.orElse(-1L)).orElse(-1L);
    }

    public OptionalLong positionOf(CommandReceipts.Receipt receipt) {
        List<Long> found = jdbc.queryForList(sql, Long.class, receipt.aggregateId(), receipt.sequenceNumber());
        return found.isEmpty() ? OptionalLong.empty() : OptionalLong.of(found.get(0));
    }
}
