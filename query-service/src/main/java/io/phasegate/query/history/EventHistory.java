package io.phasegate.query.history;

import io.phasegate.platform.storage.StorageProperties;
import io.phasegate.platform.web.ApiException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.axonframework.common.DateTimeUtils;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Reads the raw event history straight from the JDBC event store ({@code domain_event_entry}), page by page in
 * global order: one query per page of {@code phasegate.history.page-size} stored events (keyset paging on the
 * primary key {@code global_index}), so memory stays bounded whatever the length of the history.
 *
 * <p><b>Organisation isolation.</b> The store has no organisation column: every event payload names its organisation
 * in a top-level {@code orgId} (SPEC: every event has one). Each stored event of the requested range is checked by
 * reading its payload's {@code orgId} (a streaming parse that stops at that field); only the caller's organisation's
 * events are written, and an event that names none is never written. The position range, aggregate, types and times
 * are filtered by the database first. The cost of a request is therefore proportional to the range scanned, not to
 * the organisation's share of it; an (org, position) index kept by a projection would make small organisations'
 * reads of a large multi-tenant store cheaper, at the price of the projection's lag and rebuilds — not built.
 *
 * <p><b>What is streamed.</b> The events stored up to the head of the store when the request began (or
 * {@code to_position}); events appended meanwhile are not included. The payload and metadata are the stored wire
 * form (the published language: field names as in the event contract snapshots, e.g. {@code orgId}), with the
 * stored {@code revision}: this is the raw history, read without upcasting. An event whose transaction commits
 * after the request read past its position (a gap of the global index while appends are in flight) is not in that
 * response; it is in any later one.
 */
@Component
class EventHistory {

    static final String COLUMNS = "global_index, event_identifier, aggregate_identifier, sequence_number, type, "
            + "time_stamp, payload_type, payload_revision, payload, meta_data";
    /** Without a matching event for this long, a server-sent event stream gets a comment line. */
    static final long KEEP_ALIVE_NANOS = 10_000_000_000L;

    private final JdbcTemplate jdbc;
    private final String table;
    private final boolean available;
    private final int pageSize;

    EventHistory(DataSource dataSource, StorageProperties storage,
                 @Value("${phasegate.history.page-size:5000}") int pageSize) {
        this.pageSize = Math.max(1, pageSize);
        this.jdbc = new JdbcTemplate(dataSource);
        this.jdbc.setFetchSize(this.pageSize);
        this.table = storage.eventTable("domain_event_entry");
        this.available = storage.storageMode().jdbcEventStore();
    }

    /** Where a stream is: what it has scanned and written so far. Used by one page at a time. */
    static final class Cursor {
        final HistoryFilter filter;
        final HistoryEncoder.Format format;
        long after;
        long upTo = -1;
        long count;
        Long lastPosition;
        boolean done;
        long lastWrite = System.nanoTime();

        Cursor(HistoryFilter filter, HistoryEncoder.Format format) {
            this.filter = filter;
            this.format = format;
            this.after = filter.fromPosition() == null ? -1 : filter.fromPosition() - 1;
        }
    }

    Cursor open(HistoryFilter filter, HistoryEncoder.Format format) {
        if (!available) {
            throw new ApiException(HttpStatus.NOT_IMPLEMENTED, "history_unavailable",
                    "The event history is served from the JDBC event store; this storage mode has none.");
        }
        return new Cursor(filter, format);
    }

    /** Reads and encodes the next page; blocking (JDBC). Returns the chunks to send; empty when nothing to send. */
    List<byte[]> next(Cursor cursor) {
        HistoryEncoder encoder = new HistoryEncoder(cursor.format);
        if (cursor.upTo < 0) {
            Long head = jdbc.queryForObject("SELECT MAX(global_index) FROM " + table, Long.class);
            long last = head == null ? 0 : head;
            cursor.upTo = cursor.filter.toPosition() == null ? last : Math.min(last, cursor.filter.toPosition());
        }
        if (cursor.after >= cursor.upTo || limitReached(cursor)) {
            finish(cursor, encoder);
            return encoder.drain();
        }
        HistoryFilter f = cursor.filter;
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM " + table
                + " WHERE global_index > ? AND global_index <= ?");
        List<Object> args = new ArrayList<>(List.of(cursor.after, cursor.upTo));
        if (f.aggregateId() != null) {
            sql.append(" AND aggregate_identifier = ?");
            args.add(f.aggregateId());
        }
        if (!f.types().isEmpty()) {
            List<String> alternatives = new ArrayList<>();
            for (String type : f.types()) {
                // the simple name ends the stored class name, after a package dot or a nesting dollar
                alternatives.add("payload_type LIKE ? ESCAPE '!'");
                alternatives.add("payload_type LIKE ? ESCAPE '!'");
                String escaped = type.replace("!", "!!").replace("_", "!_").replace("%", "!%");
                args.add("%." + escaped);
                args.add("%$" + escaped);
            }
            sql.append(" AND (").append(String.join(" OR ", alternatives)).append(')');
        }
        if (f.fromTime() != null) {
            // Axon stores ISO-8601 UTC times with exactly three fraction digits: they sort as text
            sql.append(" AND time_stamp >= ?");
            args.add(DateTimeUtils.formatInstant(f.fromTime()));
        }
        if (f.toTime() != null) {
            sql.append(" AND time_stamp <= ?");
            args.add(DateTimeUtils.formatInstant(f.toTime()));
        }
        sql.append(" ORDER BY global_index LIMIT ?");
        args.add(pageSize);
        int[] rows = {0};
        jdbc.query(sql.toString(), rs -> {
            if (limitReached(cursor)) {
                return; // the rest of this page is skipped
            }
            rows[0]++;
            long position = rs.getLong(1);
            cursor.after = position;
            byte[] payload = rs.getBytes(9);
            if (!f.orgId().equals(HistoryEncoder.orgId(payload))) {
                return;
            }
            encoder.item(position, rs.getString(2), rs.getString(7), rs.getString(8), rs.getString(3), rs.getString(5),
                    rs.getLong(4), rs.getString(6), rs.getBytes(10), payload);
            cursor.count++;
            cursor.lastPosition = position;
        }, args.toArray());
        if (rows[0] < pageSize && !limitReached(cursor)) {
            cursor.after = cursor.upTo; // the rest of the range has no matching event
        }
        if (cursor.after >= cursor.upTo || limitReached(cursor)) {
            finish(cursor, encoder);
        }
        List<byte[]> chunks = encoder.drain();
        long now = System.nanoTime();
        if (!chunks.isEmpty()) {
            cursor.lastWrite = now;
        } else if (now - cursor.lastWrite > KEEP_ALIVE_NANOS) {
            encoder.comment("scanned to position " + cursor.after);
            chunks = encoder.drain();
            cursor.lastWrite = now;
        }
        return chunks;
    }

    private static boolean limitReached(Cursor cursor) {
        return cursor.filter.limit() != null && cursor.count >= cursor.filter.limit();
    }

    private static void finish(Cursor cursor, HistoryEncoder encoder) {
        if (!cursor.done) {
            cursor.done = true;
            encoder.end(cursor.count, cursor.lastPosition, limitReached(cursor) ? cursor.after : cursor.upTo);
        }
    }
}
