package io.phasegate.query.history;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.axonframework.common.DateTimeUtils;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Stored events from Axon's JDBC event store ({@code domain_event_entry}; modes {@code embedded} and
 * {@code postgres}). A range is read with one query per page (keyset paging on the primary key
 * {@code global_index}, {@code LIMIT} page size); the aggregate, types and times of the filter are applied by the
 * database first. One aggregate's events come from its index {@code (aggregate_identifier, sequence_number)}.
 */
final class JdbcStoredEvents implements StoredEvents {

    static final String COLUMNS = "global_index, event_identifier, aggregate_identifier, sequence_number, type, "
            + "time_stamp, payload_type, payload_revision, payload, meta_data";

    private final JdbcTemplate jdbc;
    private final String table;

    JdbcStoredEvents(DataSource dataSource, String table, int fetchSize) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.jdbc.setFetchSize(fetchSize);
        this.table = table;
    }

    @Override
    public long headPosition() {
        Long head = jdbc.queryForObject("SELECT MAX(global_index) FROM " + table, Long.class);
        return head == null ? 0 : head;
    }

    @Override
    public Scan scan(HistoryFilter filter, long after, long upTo, int pageSize) {
        return new Scan() {
            long scannedTo = after;

            @Override
            public boolean next(Predicate<StoredEvent> sink) {
                if (scannedTo >= upTo) {
                    return true;
                }
                StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM " + table
                        + " WHERE global_index > ? AND global_index <= ?");
                List<Object> args = new ArrayList<>(List.of(scannedTo, upTo));
                where(filter, sql, args);
                sql.append(" ORDER BY global_index LIMIT ?");
                args.add(pageSize);
                int[] rows = {0};
                boolean[] stopped = {false};
                jdbc.query(sql.toString(), rs -> {
                    if (stopped[0]) {
                        return; // the rest of this page is skipped
                    }
                    rows[0]++;
                    StoredEvent event = row(rs);
                    scannedTo = event.position();
                    stopped[0] = !sink.test(event);
                }, args.toArray());
                return !stopped[0] && rows[0] < pageSize;
            }

            @Override
            public void close() {
                // nothing held between pages
            }
        };
    }

    private static void where(HistoryFilter f, StringBuilder sql, List<Object> args) {
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
    }

    @Override
    public void readAggregate(String aggregateId, Long asOfPosition, Instant asOfTime, Predicate<StoredEvent> wanted,
                              Consumer<StoredEvent> consumer) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM " + table
                + " WHERE aggregate_identifier = ?");
        List<Object> args = new ArrayList<>(List.of(aggregateId));
        if (asOfPosition != null) {
            sql.append(" AND global_index <= ?");
            args.add(asOfPosition);
        }
        if (asOfTime != null) {
            sql.append(" AND time_stamp <= ?");
            args.add(DateTimeUtils.formatInstant(asOfTime));
        }
        sql.append(" ORDER BY global_index");
        jdbc.query(sql.toString(), rs -> {
            StoredEvent event = row(rs);
            if (wanted.test(event)) {
                consumer.accept(event);
            }
        }, args.toArray());
    }

    private static StoredEvent row(ResultSet rs) throws SQLException {
        return new StoredEvent(rs.getLong(1), rs.getString(2), rs.getString(7), rs.getString(8), rs.getString(3),
                rs.getString(5), rs.getLong(4), rs.getString(6), rs.getBytes(10), rs.getBytes(9));
    }
}
