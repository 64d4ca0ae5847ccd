package io.phasegate.query.position;

import io.phasegate.platform.axon.EventStorePositions;
import io.phasegate.platform.storage.StorageProperties;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.axonframework.common.stream.BlockingStream;
import org.axonframework.eventhandling.GapAwareTrackingToken;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventhandling.WrappedToken;
import org.axonframework.eventhandling.tokenstore.jdbc.TokenSchema;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.SimpleSerializedObject;
import org.springframework.beans.factory.ObjectProvider;
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
public class StoredTokens {

    private final JdbcTemplate jdbc;
    private final Serializer serializer;
    private final String sql;
    /** The JDBC event store's table, or {@code null} when events are in Axon Server. */
    private final String eventTable;
    private final ObjectProvider<EventStore> eventStore;
    static final int MAX_STREAMED = 2_000;
    static final long STREAM_BUDGET_MILLIS = 500;

    StoredTokens(DataSource dataSource, Serializer serializer, TokenSchema schema, StorageProperties storage,
                 ObjectProvider<EventStore> eventStore) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.eventStore = eventStore;
        this.serializer = serializer;
        this.sql = "SELECT " + schema.segmentColumn() + ", " + schema.tokenColumn() + ", " + schema.tokenTypeColumn()
                + " FROM " + schema.tokenTable() + " WHERE " + schema.processorNameColumn() + " = ?";
        this.eventTable = storage.storageMode().jdbcEventStore() ? storage.eventTable("domain_event_entry") : null;
    }

    /**
     * The payload types of the stored events after {@code from} (a processor's token) up to position {@code upTo},
     * and at {@code gaps} (positions the token has not passed below its index). JDBC stores: one range query on the
     * global index. Axon Server: its event stream from {@code from}, read up to the position (at most
     * {@value #MAX_STREAMED} events within {@value #STREAM_BUDGET_MILLIS} ms). Empty when that cannot be told.
     */
    Optional<Set<String>> payloadTypes(TrackingToken from, long upTo, Collection<Long> gaps) {
        if (eventTable != null && from instanceof GapAwareTrackingToken token) {
            Set<String> types = new HashSet<>(jdbc.queryForList("SELECT DISTINCT payload_type FROM " + eventTable
                    + " WHERE global_index > ? AND global_index <= ?", String.class, token.getIndex(), upTo));
            if (!gaps.isEmpty()) {
                types.addAll(jdbc.queryForList("SELECT DISTINCT payload_type FROM " + eventTable
                        + " WHERE global_index IN (" + String.join(", ", Collections.nCopies(gaps.size(), "?")) + ")",
                        String.class, gaps.toArray()));
            }
            return Optional.of(types);
        }
        if (eventTable == null && gaps.isEmpty()) {
            EventStore store = eventStore.getIfAvailable();
            return store == null ? Optional.empty() : streamedTypes(store, from, upTo);
        }
        return Optional.empty();
    }

    private static Optional<Set<String>> streamedTypes(EventStore store, TrackingToken from, long upTo) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STREAM_BUDGET_MILLIS);
        Set<String> types = new HashSet<>();
        try (BlockingStream<TrackedEventMessage<?>> stream = store.openStream(from)) {
            for (int read = 0; read < MAX_STREAMED; read++) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !stream.hasNextAvailable((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)),
                        TimeUnit.MILLISECONDS)) {
                    return Optional.empty();
                }
                TrackedEventMessage<?> event = stream.nextAvailable();
                long position = EventStorePositions.position(event.trackingToken()).orElse(Long.MAX_VALUE);
                if (position > upTo) {
                    return Optional.of(types);
                }
                // an event type this service does not know reads as UnknownSerializedType: handled only by
                // handlers of any type (Object), as Axon would deliver it
                types.add(event.getPayloadType().getName());
                if (position == upTo) {
                    return Optional.of(types);
                }
            }
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /**
     * The lowest position {@code processorName} may still deliver, by its stored tokens: below it every event has
     * been processed by every segment (and committed with the token), so none is delivered again unless the
     * processor is reset. Empty when a segment has no token yet or no token is stored.
     */
    public OptionalLong lowestUnprocessed(String processorName) {
        List<Segment> segments = of(processorName);
        long lowest = Long.MAX_VALUE;
        for (Segment segment : segments) {
            TrackingToken lower = WrappedToken.unwrapLowerBound(segment.token());
            OptionalLong position = EventStorePositions.position(lower);
            if (position.isEmpty()) {
                return OptionalLong.empty();
            }
            long next = lower instanceof GapAwareTrackingToken gapAware && !gapAware.getGaps().isEmpty()
                    ? gapAware.getGaps().first() : position.getAsLong() + 1;
            lowest = Math.min(lowest, next);
        }
        return segments.isEmpty() ? OptionalLong.empty() : OptionalLong.of(lowest);
    }

    /** The stored token of each segment of {@code processorName} (a {@code null} token: none yet); empty: none stored. */
    public List<Segment> of(String processorName) {
        return jdbc.query(sql, (rs, row) -> {
            byte[] token = rs.getBytes(2);
            String type = rs.getString(3);
            return new Segment(rs.getInt(1), token == null || type == null ? null
                    : serializer.deserialize(new SimpleSerializedObject<>(token, byte[].class, type, null)));
        }, processorName);
    }

    /** One segment's stored token ({@code null}: none yet). */
    public record Segment(int segment, TrackingToken token) {
    }
}
