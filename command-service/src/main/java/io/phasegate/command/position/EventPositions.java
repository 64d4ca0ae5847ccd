package io.phasegate.command.position;

import io.phasegate.platform.storage.StorageProperties;
import java.util.List;
import java.util.OptionalLong;
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

    public EventPositions(JdbcTemplate jdbc, StorageProperties storage) {
        this.jdbc = jdbc;
        this.sql = "SELECT global_index FROM " + storage.eventTable("domain_event_entry")
                + " WHERE aggregate_identifier = ? AND sequence_number = ?";
    }

    public OptionalLong positionOf(CommandReceipts.Receipt receipt) {
        List<Long> found = jdbc.queryForList(sql, Long.class, receipt.aggregateId(), receipt.sequenceNumber());
        return found.isEmpty() ? OptionalLong.empty() : OptionalLong.of(found.get(0));
    }
}
