package io.phasegate.query.position;

import io.phasegate.platform.axon.EventStorePositions;
import io.phasegate.platform.storage.StorageProperties;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GapAwareTrackingToken;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventhandling.WrappedToken;
import org.axonframework.messaging.Message;
import org.axonframework.messaging.unitofwork.BatchingUnitOfWork;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The exact global position of an event being handled. Every projection keys its idempotence on it.
 *
 * <p>A {@link GapAwareTrackingToken}'s {@code position()} is the highest index the processor has seen, which is the
 * event's own position except when the event fills a gap: an event whose transaction committed after a later one
 * was already read (concurrent appends, two command-service instances, a database restart) arrives with the token's
 * higher index. The token alone cannot tell the two apart, so with the JDBC event store the positions are read from
 * the store: once per processor batch ({@link BatchingUnitOfWork}) for all of the batch's events in one query (a range
 * of the primary key, or the events' identifiers: unique, indexed), kept in the unit of work's resources; an event
 * outside a batch is looked up alone by identifier. With Axon Server the token's position is exact (its stream has
 * no gaps; {@link EventStorePositions} numbers it from 1 as the JDBC store does).
 */
@Component
public class EventPositions {

    private static final String BATCH_POSITIONS = EventPositions.class.getName() + ".batch";
    /** A range scan reads at most this many stored events per event of the batch; sparser batches use identifiers. */
    private static final int RANGE_FACTOR = 4;

    private final JdbcTemplate jdbc;
    private final boolean jdbcEventStore;
    private final String eventTable;

    public EventPositions(JdbcTemplate jdbc, StorageProperties storage) {
        this.jdbc = jdbc;
        this.jdbcEventStore = storage.storageMode().jdbcEventStore();
        this.eventTable = storage.eventTable("domain_event_entry");
    }

    /** The position of {@code message}, delivered with {@code token}. */
    public long of(EventMessage<?> message, TrackingToken token) {
        TrackingToken lower = WrappedToken.unwrapLowerBound(token);
        if (jdbcEventStore && lower instanceof GapAwareTrackingToken) {
            Long stored = stored(message.getIdentifier());
            if (stored != null) {
                return stored;
            }
        }
        return EventStorePositions.position(lower).orElseThrow(
                () -> new IllegalStateException("No global position for event " + message.getIdentifier()));
    }

    /** The position of the event the current unit of work handles, delivered with {@code token}. */
    public long current(TrackingToken token) {
        if (!CurrentUnitOfWork.isStarted() || !(CurrentUnitOfWork.get().getMessage() instanceof EventMessage<?> event)) {
            throw new IllegalStateException("No event is being handled");
        }
        return of(event, token);
    }

    private Long stored(String eventId) {
        if (!CurrentUnitOfWork.isStarted() || !(CurrentUnitOfWork.get() instanceof BatchingUnitOfWork<?> batch)) {
            return lookUp(List.of(eventId)).get(eventId);
        }
        Map<String, Long> positions = batch.getOrComputeResource(BATCH_POSITIONS, key -> lookUpBatch(batch.getMessages()));
        // an event not found in the batch's range (it filled an older gap) is looked up alone
        return positions.containsKey(eventId) ? positions.get(eventId) : lookUp(List.of(eventId)).get(eventId);
    }

    /**
     * The positions of a batch's events. Every event that did not fill a gap is at its token's index, and the tokens
     * of a batch grow, so when the batch's events lie close together (a replay, a busy stream) one range scan of the
     * primary key from the first token's index to the last finds them all; events that filled an older gap are not in
     * that range and are looked up alone. When the range is sparse for this projection (it handles few of the events
     * in it), the batch's identifiers are looked up instead.
     */
    private Map<String, Long> lookUpBatch(List<? extends Message<?>> messages) {
        long low = Long.MAX_VALUE;
        long high = Long.MIN_VALUE;
        for (Message<?> message : messages) {
            if (message instanceof TrackedEventMessage<?> tracked
                    && WrappedToken.unwrapLowerBound(tracked.trackingToken()) instanceof GapAwareTrackingToken token) {
                low = Math.min(low, token.getIndex());
                high = Math.max(high, token.getIndex());
            }
        }
        if (low <= high && high - low < (long) RANGE_FACTOR * messages.size()) {
            Map<String, Long> positions = new HashMap<>();
            jdbc.query("SELECT event_identifier, global_index FROM " + eventTable
                            + " WHERE global_index BETWEEN ? AND ?",
                    rs -> {
                        positions.put(rs.getString(1), rs.getLong(2));
                    }, low, high);
            return positions;
        }
        return lookUp(messages.stream().map(Message::getIdentifier).toList());
    }

    private Map<String, Long> lookUp(List<String> eventIds) {
        if (eventIds.isEmpty()) {
            return Map.of();
        }
        Map<String, Long> positions = new HashMap<>();
        for (int from = 0; from < eventIds.size(); from += 500) {
            List<String> chunk = eventIds.subList(from, Math.min(eventIds.size(), from + 500));
            jdbc.query("SELECT event_identifier, global_index FROM " + eventTable + " WHERE event_identifier IN ("
                            + String.join(",", Collections.nCopies(chunk.size(), "?")) + ")",
                    rs -> {
                        positions.put(rs.getString(1), rs.getLong(2));
                    }, chunk.toArray());
        }
        return positions;
    }
}
