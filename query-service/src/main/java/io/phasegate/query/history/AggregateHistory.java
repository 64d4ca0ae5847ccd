package io.phasegate.query.history;

import io.phasegate.platform.storage.StorageProperties;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;
import org.axonframework.common.DateTimeUtils;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.SimpleSerializedObject;
import org.axonframework.serialization.SimpleSerializedType;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Folds one aggregate's stored events up to a past position or time, in global order, each with its exact global
 * position: the as-of reconstruction of tasks and resources, with the same fold their projections use. Reads the
 * JDBC event store, not a projection, so it works for any point of the history without catching up.
 *
 * <p>Events are deserialized with the service's event serializer (no upcasters are configured; a future upcaster
 * must be applied here as well). Events the fold does not take are not deserialized. A time is compared with the
 * events' stored timestamps, at the store's millisecond precision.
 */
@Component
public class AggregateHistory {

    /** A fold step: the state after {@code event} at {@code position} ({@code state} itself when unchanged). */
    @FunctionalInterface
    public interface Fold<S> {
        S apply(S state, Object event, long position);
    }

    /** The folded state ({@code null} when no event applied) and how many events changed it. */
    public record Folded<S>(S state, int eventsApplied) {
    }

    private final JdbcTemplate jdbc;
    private final Serializer serializer;
    private final String table;
    private final boolean available;

    AggregateHistory(DataSource dataSource, @Qualifier("eventSerializer") Serializer serializer,
                     StorageProperties storage) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.serializer = serializer;
        this.table = storage.eventTable("domain_event_entry");
        this.available = storage.storageMode().jdbcEventStore();
    }

    public <S> Folded<S> fold(String aggregateId, Long asOfPosition, Instant asOfTime, Set<Class<?>> eventTypes,
                              Fold<S> fold) {
        if (!available) {
            throw new IllegalStateException("History is read from the JDBC event store; this mode has none.");
        }
        StringBuilder sql = new StringBuilder("SELECT global_index, payload_type, payload_revision, payload FROM "
                + table + " WHERE aggregate_identifier = ?");
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
        List<S> state = new ArrayList<>(1);
        state.add(null);
        int[] applied = {0};
        jdbc.query(sql.toString(), rs -> {
            SimpleSerializedType type = new SimpleSerializedType(rs.getString(2), rs.getString(3));
            if (!eventTypes.contains(serializer.classForType(type))) {
                return;
            }
            Object event = serializer.deserialize(new SimpleSerializedObject<>(rs.getBytes(4), byte[].class, type));
            S next = fold.apply(state.get(0), event, rs.getLong(1));
            if (next != state.get(0)) {
                applied[0]++;
                state.set(0, next);
            }
        }, args.toArray());
        return new Folded<>(state.get(0), applied[0]);
    }
}
