package io.phasegate.query.position;

import io.phasegate.platform.storage.StorageProperties;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GapAwareTrackingToken;
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
 * the store by the events' identifiers (unique, indexed): once per processor batch, for all of the batch's events in
 * one query ({@link BatchingUnitOfWork}), kept in the unit of work's resources; a single event outside a batch is
 * looked up alone. With Axon Server the token's position is exact (its stream has no gaps).
 */
@Component
public class EventPositions {

    private static final String BATCH_POSITIONS = EventPositions.class.getName() + ".batch";

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
        if (lower == null || lower.position().isEmpty()) {
            throw new IllegalStateException("No global position for event " + message.getIdentifier());
        }
        return lower.position().getAsLong();
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
        Map<String, Long> positions = batch.getOrComputeResource(BATCH_POSITIONS, key -> lookUp(batch.getMessages()
                .stream().map(Message::getIdentifier).toList()));
        // an event that is not one of the batch's messages (not expected) is looked up alone
        return positions.containsKey(eventId) ? positions.get(eventId) : lookUp(List.of(eventId)).get(eventId);
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
