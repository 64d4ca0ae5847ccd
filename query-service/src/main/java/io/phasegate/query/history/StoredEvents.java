package io.phasegate.query.history;

import java.time.Instant;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Where the history reads stored events from: the only part of the history that differs between the storage modes.
 * Filtering, organisation isolation, paging and encoding are done once, by {@link EventHistory} and
 * {@link AggregateHistory}, on the {@link StoredEvent}s an implementation passes them.
 * <ul>
 *   <li>{@link JdbcStoredEvents} (modes {@code embedded} and {@code postgres}): SQL on {@code domain_event_entry}.</li>
 *   <li>{@link AxonServerStoredEvents} (mode {@code axonserver}): Axon Server's event stream and aggregate reads.</li>
 * </ul>
 * Implementations may leave out events that cannot match the filter they are given (as an optimisation); the callers
 * check every event they receive again.
 */
interface StoredEvents {

    /** The position of the last stored event; 0 when the store is empty. */
    long headPosition();

    /**
     * A read of the stored events with positions in {@code (after, upTo]}, in global order, for
     * {@code GET /history/events}. Stateful: one per request, read page by page, closed at the end.
     */
    Scan scan(HistoryFilter filter, long after, long upTo, int pageSize);

    /**
     * One aggregate's stored events in global order, each with its position: those at or before {@code asOfPosition}
     * (when given) and stored at or before {@code asOfTime} (when given, at millisecond precision) that
     * {@code wanted} accepts. {@code wanted} is asked before the event's position is known (position {@code -1}).
     */
    void readAggregate(String aggregateId, Long asOfPosition, Instant asOfTime, Predicate<StoredEvent> wanted,
                       Consumer<StoredEvent> consumer);

    /** One request's read of a position range. Used by one page at a time (never concurrently). */
    interface Scan extends AutoCloseable {

        /**
         * Passes the next stored events of the range (at most {@code pageSize} per call, maybe fewer) to
         * {@code sink} while it answers true. Blocking.
         *
         * @return true when the range has no further event that can match the filter (the scan is over)
         */
        boolean next(Predicate<StoredEvent> sink);

        /** Releases what the scan holds (an open event stream); idempotent, callable from any thread. */
        @Override
        void close();
    }
}
