package io.phasegate.query.audit;

import io.phasegate.events.audit.AuditRecordView;
import io.phasegate.events.audit.FindAuditRecordsQuery;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;

/** SQL over {@code audit_records} and {@code audit_chain_heads}, shared by the projection and the query handlers. */
@Component
class AuditRecords {

    /** The head of an organisation's chain: its last record. */
    record Head(long seq, long position, String hash) {
    }

    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };

    static final RowMapper<AuditRow> ROW = AuditRecords::row;
    private static final int HEADS_PER_QUERY = 500;

    private final JdbcTemplate jdbc;

    AuditRecords(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    boolean exists(long position, String eventId) {
        Integer count = jdbc.queryForObject("SELECT COUNT(*) FROM audit_records WHERE position = ? OR event_id = ?",
                Integer.class, position, eventId);
        return count != null && count > 0;
    }

    Optional<Head> head(String orgId) {
        return jdbc.query("SELECT last_seq, last_position, last_hash FROM audit_chain_heads WHERE org_id = ?",
                (rs, n) -> new Head(rs.getLong(1), rs.getLong(2), rs.getString(3)), orgId).stream().findFirst();
    }

    /** The chain sequence of the head of each of {@code orgIds} that has records. */
    Map<String, Long> headSequences(Collection<String> orgIds) {
        Map<String, Long> heads = new HashMap<>();
        List<String> ids = List.copyOf(orgIds);
        for (int from = 0; from < ids.size(); from += HEADS_PER_QUERY) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + HEADS_PER_QUERY));
            jdbc.query("SELECT org_id, last_seq FROM audit_chain_heads WHERE org_id IN ("
                    + String.join(", ", Collections.nCopies(chunk.size(), "?")) + ")",
                    rs -> {
                        heads.put(rs.getString(1), rs.getLong(2));
                    }, chunk.toArray());
        }
        return heads;
    }

    /** The organisation's record with the highest chain sequence, as a head. */
    Optional<Head> lastRecord(String orgId) {
        return jdbc.query("SELECT chain_seq, position, hash FROM audit_records WHERE org_id = ? "
                        + "ORDER BY chain_seq DESC LIMIT 1",
                (rs, n) -> new Head(rs.getLong(1), rs.getLong(2), rs.getString(3)), orgId).stream().findFirst();
    }

    void insert(AuditRow row) {
        jdbc.update("""
                        INSERT INTO audit_records (position, org_id, chain_seq, event_id, event_type, aggregate_type,
                                                   aggregate_id, aggregate_sequence, occurred_at, actor, correlation_id,
                                                   causation_id, description, summary, prev_position, prev_hash, hash)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                row.position(), row.orgId(), row.chainSeq(), row.eventId(), row.eventType(), row.aggregateType(),
                row.aggregateId(), row.aggregateSequence(), utc(row.occurredAt()), row.actor(), row.correlationId(),
                row.causationId(), row.description(), row.summary(), row.prevPosition(), row.prevHash(), row.hash());
    }

    /**
     * Moves the organisation's head from {@code expected} (absent for a new chain) to {@code row}. Fails when the head
     * is no longer {@code expected}: something else appended to the chain (the processing group is sequenced per
     * organisation, so this means misconfiguration); the transaction then rolls back and the event is retried.
     */
    void advanceHead(String orgId, Optional<Head> expected, AuditRow row) {
        int updated;
        if (expected.isPresent()) {
            updated = jdbc.update("""
                            UPDATE audit_chain_heads SET last_seq = ?, last_position = ?, last_hash = ?
                            WHERE org_id = ? AND last_seq = ? AND last_hash = ?""",
                    row.chainSeq(), row.position(), row.hash(), orgId, expected.get().seq(), expected.get().hash());
        } else {
            updated = jdbc.update("INSERT INTO audit_chain_heads (org_id, last_seq, last_position, last_hash) "
                    + "VALUES (?, ?, ?, ?)", orgId, row.chainSeq(), row.position(), row.hash());
        }
        if (updated != 1) {
            throw new IllegalStateException("The audit chain head of organisation " + orgId + " moved concurrently");
        }
    }

    void deleteAll() {
        jdbc.update("DELETE FROM audit_records");
        jdbc.update("DELETE FROM audit_chain_heads");
    }

    /** A page of {@link FindAuditRecordsQuery}: up to {@code limit} rows in page order. */
    List<AuditRow> find(FindAuditRecordsQuery query, int limit) {
        StringBuilder sql = new StringBuilder("SELECT * FROM audit_records WHERE org_id = ?");
        List<Object> args = new ArrayList<>(List.of(query.orgId()));
        if (query.actor() != null) {
            sql.append(" AND actor = ?");
            args.add(query.actor());
        }
        if (query.aggregateId() != null) {
            sql.append(" AND aggregate_id = ?");
            args.add(query.aggregateId());
        }
        if (query.eventType() != null) {
            sql.append(" AND event_type = ?");
            args.add(query.eventType());
        }
        if (query.from() != null) {
            sql.append(" AND occurred_at >= ?");
            args.add(utc(query.from()));
        }
        if (query.to() != null) {
            sql.append(" AND occurred_at < ?");
            args.add(utc(query.to()));
        }
        if (query.after() != null) {
            sql.append(query.descending() ? " AND position < ?" : " AND position > ?");
            args.add(query.after());
        }
        sql.append(query.descending() ? " ORDER BY position DESC" : " ORDER BY position ASC").append(" LIMIT ?");
        args.add(limit);
        return jdbc.query(sql.toString(), ROW, args.toArray());
    }

    /** Up to {@code limit} records of the organisation with {@code afterSeq < chain_seq <= untilSeq}, in chain order. */
    List<AuditRow> chainRange(String orgId, String aggregateType, long afterSeq, long untilSeq, int limit) {
        if (aggregateType == null) {
            return jdbc.query("SELECT * FROM audit_records WHERE org_id = ? AND chain_seq > ? AND chain_seq <= ? "
                    + "ORDER BY chain_seq LIMIT ?", ROW, orgId, afterSeq, untilSeq, limit);
        }
        return jdbc.query("SELECT * FROM audit_records WHERE org_id = ? AND aggregate_type = ? AND chain_seq > ? "
                + "AND chain_seq <= ? ORDER BY chain_seq LIMIT ?", ROW, orgId, aggregateType, afterSeq, untilSeq, limit);
    }

    /** The chain sequence of the organisation's record at {@code position}. */
    Optional<Long> sequenceAt(String orgId, long position) {
        return jdbc.queryForList("SELECT chain_seq FROM audit_records WHERE org_id = ? AND position = ?", Long.class,
                orgId, position).stream().findFirst();
    }

    /** The lowest chain sequence among the organisation's records with a position above {@code position}. */
    Optional<Long> firstSequenceAfter(String orgId, long position) {
        return Optional.ofNullable(jdbc.queryForObject(
                "SELECT MIN(chain_seq) FROM audit_records WHERE org_id = ? AND position > ?", Long.class, orgId,
                position));
    }

    /** Up to {@code limit} records of the organisation's chain up to {@code maxSeq}, by position after {@code afterPosition}. */
    List<AuditRow> byPosition(String orgId, long maxSeq, long afterPosition, int limit) {
        return jdbc.query("SELECT * FROM audit_records WHERE org_id = ? AND chain_seq <= ? AND position > ? "
                + "ORDER BY position LIMIT ?", ROW, orgId, maxSeq, afterPosition, limit);
    }

    Optional<AuditRow> bySequence(String orgId, long seq) {
        return jdbc.query("SELECT * FROM audit_records WHERE org_id = ? AND chain_seq = ?", ROW, orgId, seq).stream()
                .findFirst();
    }

    static AuditRecordView view(AuditRow row) {
        return row.view(AuditPayloads.SNAKE_CASE.readValue(row.summary(), OBJECT));
    }

    static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    private static AuditRow row(ResultSet rs, int n) throws SQLException {
        OffsetDateTime occurredAt = rs.getObject("occurred_at", OffsetDateTime.class);
        return new AuditRow(rs.getLong("position"), rs.getString("org_id"), rs.getLong("chain_seq"),
                rs.getString("event_id"), rs.getString("event_type"), rs.getString("aggregate_type"),
                rs.getString("aggregate_id"), nullableLong(rs, "aggregate_sequence"),
                occurredAt == null ? null : occurredAt.toInstant(), rs.getString("actor"),
                rs.getString("correlation_id"), rs.getString("causation_id"), rs.getString("description"),
                rs.getString("summary"), nullableLong(rs, "prev_position"), rs.getString("prev_hash"),
                rs.getString("hash"));
    }

    private static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? null : value;
    }
}
