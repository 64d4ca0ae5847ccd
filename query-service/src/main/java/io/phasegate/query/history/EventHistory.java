package io.phasegate.query.history;

import java.util.List;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Reads the raw event history page by page in global order, in every storage mode: the stored events come from
 * {@link StoredEvents} (the JDBC event store's table, or Axon Server's event stream), one page of at most
 * {@code phasegate.history.page-size} stored events at a time, so memory stays bounded whatever the length of the
 * history. Filtering, organisation isolation and encoding are done here, the same way for every mode.
 *
 * <p><b>Organisation isolation.</b> The stores have no organisation column: every event payload names its
 * organisation in a top-level {@code orgId} (SPEC: every event has one). Each stored event of the requested range is
 * checked by reading its payload's {@code orgId} (a streaming parse that stops at that field,
 * {@link HistoryFilter#matches}); only the caller's organisation's events are written, and an event that names none
 * is never written. The JDBC store filters the position range, aggregate, types and times in the database first;
 * Axon Server reads the range (or the aggregate's events) and every event is checked here. The cost of a request is
 * therefore proportional to the range scanned, not to the organisation's share of it; an (org, position) index kept
 * by a projection would make small organisations' reads of a large multi-tenant store cheaper, at the price of the
 * projection's lag and rebuilds — not built.
 *
 * <p><b>What is streamed.</b> The events stored up to the head of the store when the request began (or
 * {@code to_position}); events appended meanwhile are not included. The payload and metadata are the stored wire
 * form (the published language: field names as in the event contract snapshots, e.g. {@code orgId}), with the
 * stored {@code revision}: this is the raw history, read without upcasting. (JDBC store) an event whose transaction
 * commits after the request read past its position (a gap of the global index while appends are in flight) is not
 * in that response; it is in any later one. Axon Server's positions have no gaps.
 */
@Component
class EventHistory {

    /** Without a matching event for this long, a server-sent event stream gets a comment line. */
    static final long KEEP_ALIVE_NANOS = 10_000_000_000L;

    private final StoredEvents store;
    private final int pageSize;

    EventHistory(StoredEvents store, @Value("${phasegate.history.page-size:5000}") int pageSize) {
        this.store = store;
        this.pageSize = Math.max(1, pageSize);
    }

    /** Where a stream is: what it has scanned and written so far. Used by one page at a time. */
    static final class Cursor implements AutoCloseable {
        final HistoryFilter filter;
        final HistoryEncoder.Format format;
        long after;
        long upTo = -1;
        long count;
        Long lastPosition;
        volatile boolean done;
        long lastWrite = System.nanoTime();
        volatile StoredEvents.Scan scan;
        private volatile boolean closed;

        Cursor(HistoryFilter filter, HistoryEncoder.Format format) {
            this.filter = filter;
            this.format = format;
            this.after = filter.fromPosition() == null ? -1 : filter.fromPosition() - 1;
        }

        boolean isClosed() {
            return closed;
        }

        /** Releases the scan (an open Axon Server stream); when the response ends, however it ends. */
        @Override
        public void close() {
            closed = true;
            StoredEvents.Scan open = scan;
            if (open != null) {
                open.close();
            }
        }
    }

    Cursor open(HistoryFilter filter, HistoryEncoder.Format format) {
        return new Cursor(filter, format);
    }

    /** Reads and encodes the next page; blocking. Returns the chunks to send; empty when nothing to send. */
    List<byte[]> next(Cursor cursor) {
        HistoryEncoder encoder = new HistoryEncoder(cursor.format);
        if (cursor.upTo < 0) {
            long head = store.headPosition();
            cursor.upTo = cursor.filter.toPosition() == null ? head : Math.min(head, cursor.filter.toPosition());
        }
        if (cursor.after >= cursor.upTo || limitReached(cursor) || cursor.closed) {
            finish(cursor, encoder);
            return encoder.drain();
        }
        if (cursor.scan == null) {
            cursor.scan = store.scan(cursor.filter, Math.max(0, cursor.after), cursor.upTo, pageSize);
            if (cursor.closed) {
                cursor.scan.close();
            }
        }
        HistoryFilter f = cursor.filter;
        boolean over = cursor.scan.next(event -> {
            if (limitReached(cursor)) {
                return false;
            }
            cursor.after = event.position();
            if (f.matches(event)) {
                encoder.item(event.position(), event.eventId(), event.payloadType(), event.revision(),
                        event.aggregateId(), event.aggregateType(), event.sequence(), event.timestamp(),
                        event.metadata(), event.payload());
                cursor.count++;
                cursor.lastPosition = event.position();
            }
            return !limitReached(cursor);
        });
        if (over && !limitReached(cursor)) {
            cursor.after = cursor.upTo; // the rest of the range has no matching event
        }
        if (cursor.after >= cursor.upTo || limitReached(cursor)) {
            finish(cursor, encoder);
            cursor.scan.close();
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
