package io.phasegate.query.position;

import io.phasegate.platform.storage.StorageProperties;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventhandling.tokenstore.jdbc.TokenSchema;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.SimpleSerializedObject;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Reads the tracking tokens a processor has stored, one per segment, without claiming them: the progress of the
 * projections as every query-service instance sees it, whichever instance processes them. Axon's
 * {@code TokenStore.fetchToken} cannot be used for this: it claims the segment.
 *
 * <p>A token is stored in the same transaction as the projection's rows of the events it covers, so a stored token
 * that covers a position means those rows are committed.
 */
@Component
class StoredTokens {

    private final JdbcTemplate jdbc;
    private final Serializer serializer;
    private final String sql;
    /** The JDBC event store's table, or {@code null} when events are in Axon Server. */
    private final String eventTable;

    StoredTokens(DataSource dataSource, Serializer serializer, TokenSchema schema, StorageProperties storage) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.serializer = serializer;
        this.sql = "SELECT " + schema.segmentColumn() + ", " + schema.tokenColumn() + ", " + schema.tokenTypeColumn()
                + " FROM " + schema.tokenTable() + " WHERE " + schema.processorNameColumn() + " = ?";
        this.eventTable = storage.storageMode().jdbcEventStore() ? storage.eventTable("domain_event_entry") : null;
    }

    /**
     * The payload types of the stored events at positions {@code after < position <= upTo} and at {@code gaps}
     * (positions are the JDBC store's global index); empty when the events are not in a JDBC store
     * ({@code axonserver} mode).
     */
    Optional<Set<String>> payloadTypes(long after, long upTo, Collection<Long> gaps) {
        if (eventTable == null) {
            return Optional.empty();
        }
        Set<String> types = new HashSet<>(jdbc.queryForList("SELECT DISTINCT payload_type FROM " + eventTable
                + " WHERE global_index > ? AND global_index <= ?", String.class, after, upTo));
        if (!gaps.isEmpty()) {
            types.addAll(jdbc.queryForList("SELECT DISTINCT payload_type FROM " + eventTable + " WHERE global_index IN ("
                    + String.join(", ", Collections.nCopies(gaps.size(), "?")) + ")", String.class, gaps.toArray()));
        }
        return Optional.of(types);
    }

    /** The stored token of each segment of {@code processorName} (a {@code null} token: none yet); empty: none stored. */
    List<Segment> of(String processorName) {
        return jdbc.query(sql, (rs, row) -> {
            byte[] token = rs.getBytes(2);
            String type = rs.getString(3);
            return new Segment(rs.getInt(1), token == null || type == null ? null
                    : serializer.deserialize(new SimpleSerializedObject<>(token, byte[].class, type, null)));
        }, processorName);
    }

    record Segment(int segment, TrackingToken token) {
    }
}
