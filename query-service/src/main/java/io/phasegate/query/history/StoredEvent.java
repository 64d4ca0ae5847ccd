package io.phasegate.query.history;

import org.axonframework.common.DateTimeUtils;

/**
 * One event as the event store holds it, in the form the history answers it: its global position (1 for the store's
 * first event, in every storage mode, as {@link io.phasegate.platform.axon.EventStorePositions}), the stored
 * payload and metadata as JSON bytes, the stored payload type and revision (not upcast) and the stored time.
 *
 * @param position      the global position, or {@code -1} while not known yet (an Axon Server aggregate event
 *                      before it is located in the global stream)
 * @param timestamp     the stored time as ISO-8601 UTC with three fraction digits (Axon's {@code DateTimeUtils})
 * @param revision      the stored payload revision, or null
 * @param aggregateType the aggregate type, or null for an event published without an aggregate
 */
record StoredEvent(long position, String eventId, String payloadType, String revision, String aggregateId,
                   String aggregateType, long sequence, String timestamp, byte[] metadata, byte[] payload) {

    /** The stored time in epoch milliseconds (the stores' precision). */
    long epochMilli() {
        return DateTimeUtils.parseInstant(timestamp).toEpochMilli();
    }

    StoredEvent at(long globalPosition) {
        return new StoredEvent(globalPosition, eventId, payloadType, revision, aggregateId, aggregateType, sequence,
                timestamp, metadata, payload);
    }
}
