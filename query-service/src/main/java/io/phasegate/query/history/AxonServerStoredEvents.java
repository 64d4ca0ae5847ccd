package io.phasegate.query.history;

import io.axoniq.axonserver.connector.event.AggregateEventStream;
import io.axoniq.axonserver.connector.event.EventChannel;
import io.axoniq.axonserver.connector.event.EventStream;
import io.axoniq.axonserver.grpc.MetaDataValue;
import io.axoniq.axonserver.grpc.event.Event;
import io.axoniq.axonserver.grpc.event.EventWithToken;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.axonframework.common.DateTimeUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Stored events from Axon Server (mode {@code axonserver}), through the connector's event channel: the events as
 * Axon Server holds them (payload bytes, type, revision and metadata as stored; nothing is deserialized or upcast).
 *
 * <p><b>Positions.</b> Axon Server numbers its events from token 0; Phasegate's positions start at 1 in every mode
 * ({@link io.phasegate.platform.axon.EventStorePositions}): position = token + 1. Axon Server's tokens have no gaps.
 *
 * <p><b>A range</b> ({@link #scan}) is one event stream ({@code eventChannel().openStream}) opened at the range's
 * first token — or, for a {@code from_time}, at Axon Server's token for that time less {@link #TIME_MARGIN_MILLIS}
 * ({@code getTokenAt}) — and read up to the range's last token with the connector's flow control (a buffer of one
 * page); the stream is closed when the range is done or the request ends. Time filters are checked per event; a
 * {@code to_time} also ends the scan at the first event stored more than {@link #TIME_MARGIN_MILLIS} after it.
 *
 * <p><b>One aggregate</b> ({@link #readAggregate}, and a range filtered by {@code aggregate_id}): Axon Server reads
 * an aggregate's events by its index ({@code openAggregateStream}) but gives them without their global token. Each
 * event that is needed is therefore <em>located</em> in the global stream: Axon Server's token for the event's time
 * less {@link #TIME_MARGIN_MILLIS} (at least one after the previous located event of the aggregate) is where a
 * stream is opened and read until the event's identifier comes by. A stream already close to the event is read on
 * instead of opening another. Should the time-based start be past the event (an event stored more than the margin
 * after it was created), the next event of the aggregate or the head shows it, and the search starts again after the
 * previous event of the aggregate, which is exact but may read much of the store.
 */
final class AxonServerStoredEvents implements StoredEvents {

    /** Events are assumed stored within this long after their time stamp (the command's unit of work). */
    static final long TIME_MARGIN_MILLIS = 10_000;
    /** How long one call to Axon Server (a token, the next event of a stream) may take. */
    static final long CALL_TIMEOUT_SECONDS = 30;

    private static final JsonFactory JSON = JsonFactory.builder().build();
    private static final Logger log = LoggerFactory.getLogger(AxonServerStoredEvents.class);

    private final Supplier<EventChannel> channel;
    private final int bufferSize;

    /**
     * @param channel    the event channel of the configured context (asked for at each request, so a reconnected
     *                   channel is used)
     * @param bufferSize the stream buffer, in events (the connector's flow control)
     */
    AxonServerStoredEvents(Supplier<EventChannel> channel, int bufferSize) {
        this.channel = channel;
        this.bufferSize = Math.max(64, Math.min(bufferSize, 10_000));
    }

    // ---------------------------------------------------------------------------------------------------------
    // positions and tokens

    /** The position of the event at Axon Server token {@code token}. */
    static long position(long token) {
        return token + 1;
    }

    /** The Axon Server token of the event at {@code position}. */
    static long token(long position) {
        return position - 1;
    }

    /** What to pass to {@code EventChannel.openStream} so the stream's first event is at {@code firstToken}. */
    static long streamStart(long firstToken) {
        return firstToken - 1; // the connector asks Axon Server for the events after the given token
    }

    @Override
    public long headPosition() {
        long last = call(channel.get().getLastToken()); // -1 for an empty store
        return Math.max(0, position(last));
    }

    // ---------------------------------------------------------------------------------------------------------
    // the raw event as a stored event

    /** The stored event for Axon Server's {@code event} at {@code token} ({@code -1}: position not known). */
    static StoredEvent stored(Event event, long token) {
        String revision = event.getPayload().getRevision();
        boolean domain = !event.getAggregateIdentifier().isEmpty();
        return new StoredEvent(token < 0 ? -1 : position(token), event.getMessageIdentifier(),
                event.getPayload().getType(), revision.isEmpty() ? null : revision,
                // as Axon's JDBC store records an event published without an aggregate
                domain ? event.getAggregateIdentifier() : event.getMessageIdentifier(),
                domain && !event.getAggregateType().isEmpty() ? event.getAggregateType() : null,
                domain ? event.getAggregateSequenceNumber() : 0,
                DateTimeUtils.formatInstant(Instant.ofEpochMilli(event.getTimestamp())),
                metadata(event.getMetaDataMap()), event.getPayload().getData().toByteArray());
    }

    /**
     * Axon Server's typed metadata as one JSON object, keys sorted: text as strings, numbers, booleans; a value
     * Axon serialized (bytes) as its serialized JSON, or as a string when it is not JSON.
     */
    static byte[] metadata(Map<String, MetaDataValue> values) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + 64 * values.size());
        try (JsonGenerator g = JSON.createGenerator(ObjectWriteContext.empty(), out)) {
            g.writeStartObject();
            for (Map.Entry<String, MetaDataValue> entry : new TreeMap<>(values).entrySet()) {
                g.writeName(entry.getKey());
                MetaDataValue value = entry.getValue();
                switch (value.getDataCase()) {
                    case TEXT_VALUE -> g.writeString(value.getTextValue());
                    case NUMBER_VALUE -> g.writeNumber(value.getNumberValue());
                    case DOUBLE_VALUE -> g.writeNumber(value.getDoubleValue());
                    case BOOLEAN_VALUE -> g.writeBoolean(value.getBooleanValue());
                    case BYTES_VALUE -> writeSerialized(g, value.getBytesValue().getData().toByteArray());
                    default -> g.writeNull();
                }
            }
            g.writeEndObject();
        }
        return out.toByteArray();
    }

    private static void writeSerialized(JsonGenerator g, byte[] data) {
        try (JsonParser parser = JSON.createParser(ObjectReadContext.empty(), data)) {
            if (parser.nextToken() != null) {
                // validate before writing anything: a partial copy cannot be taken back
                try (JsonParser check = JSON.createParser(ObjectReadContext.empty(), data)) {
                    check.nextToken();
                    check.skipChildren();
                    if (check.nextToken() == null) {
                        g.copyCurrentStructure(parser);
                        return;
                    }
                }
            }
        } catch (RuntimeException notJson) {
            // written as text below
        }
        g.writeString(new String(data, java.nio.charset.StandardCharsets.UTF_8));
    }

    // ---------------------------------------------------------------------------------------------------------
    // a range

    @Override
    public Scan scan(HistoryFilter filter, long after, long upTo, int pageSize) {
        if (filter.aggregateId() != null) {
            return new AggregateScan(filter, after, upTo, pageSize);
        }
        return new GlobalScan(filter, after, upTo, pageSize);
    }

    /** A range read from Axon Server's global event stream. */
    private final class GlobalScan implements Scan {
        private final HistoryFilter filter;
        private final long after;
        private final long lastToken;
        private final int pageSize;
        private EventStream stream;
        private long nextToken = -1;
        private boolean done;

        GlobalScan(HistoryFilter filter, long after, long upTo, int pageSize) {
            this.filter = filter;
            this.after = after;
            this.lastToken = token(upTo);
            this.pageSize = pageSize;
        }

        @Override
        public boolean next(Predicate<StoredEvent> sink) {
            if (done) {
                return true;
            }
            if (stream == null) {
                long first = token(after + 1); // the first position of the range
                if (filter.fromTime() != null) {
                    first = Math.max(first, tokenAt(filter.fromTime().toEpochMilli() - TIME_MARGIN_MILLIS));
                }
                nextToken = first;
                if (nextToken > lastToken) {
                    return end();
                }
                stream = channel.get().openStream(streamStart(first), Math.min(bufferSize, pageSize));
            }
            Long stopAfter = filter.toTime() == null ? null : filter.toTime().toEpochMilli() + TIME_MARGIN_MILLIS;
            for (int read = 0; read < pageSize; read++) {
                if (nextToken > lastToken) {
                    return end();
                }
                EventWithToken next = read(stream);
                if (next.getToken() < nextToken) {
                    continue; // not expected: the stream starts at the requested token
                }
                nextToken = next.getToken() + 1;
                if (stopAfter != null && next.getEvent().getTimestamp() > stopAfter) {
                    return end();
                }
                if (!sink.test(stored(next.getEvent(), next.getToken()))) {
                    return false;
                }
            }
            return nextToken > lastToken && end();
        }

        private boolean end() {
            done = true;
            close();
            return true;
        }

        @Override
        public void close() {
            EventStream open = stream;
            if (open != null) {
                open.close();
            }
        }
    }

    /** A range filtered by one aggregate: the aggregate's events, located. */
    private final class AggregateScan implements Scan {
        private final HistoryFilter filter;
        private final long after;
        private final long upTo;
        private final int pageSize;
        private AggregateEvents events;
        private boolean done;

        AggregateScan(HistoryFilter filter, long after, long upTo, int pageSize) {
            this.filter = filter;
            this.after = after;
            this.upTo = upTo;
            this.pageSize = pageSize;
        }

        @Override
        public boolean next(Predicate<StoredEvent> sink) {
            if (done) {
                return true;
            }
            if (events == null) {
                events = new AggregateEvents(filter.aggregateId(), filter::matches);
            }
            for (int read = 0; read < pageSize; read++) {
                StoredEvent event = events.next();
                if (event == null || event.position() > upTo) {
                    done = true;
                    close();
                    return true;
                }
                if (event.position() > after && !sink.test(event)) {
                    return false;
                }
            }
            return false;
        }

        @Override
        public void close() {
            AggregateEvents open = events;
            if (open != null) {
                open.close();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // one aggregate

    @Override
    public void readAggregate(String aggregateId, Long asOfPosition, Instant asOfTime, Predicate<StoredEvent> wanted,
                              Consumer<StoredEvent> consumer) {
        Predicate<StoredEvent> inTime = asOfTime == null ? e -> true
                : e -> e.epochMilli() <= asOfTime.toEpochMilli();
        try (AggregateEvents events = new AggregateEvents(aggregateId, inTime.and(wanted))) {
            StoredEvent event;
            while ((event = events.next()) != null) {
                if (asOfPosition != null && event.position() > asOfPosition) {
                    return; // later events of the aggregate are later in the store
                }
                consumer.accept(event);
            }
        }
    }

    /**
     * One aggregate's events in order, each located in the global stream; only the events {@code wanted} accepts
     * (asked before locating) are located and returned.
     */
    final class AggregateEvents implements AutoCloseable {
        private final String aggregateId;
        private final Predicate<StoredEvent> wanted;
        private final AggregateEventStream aggregate;
        private final EventChannel events = channel.get();
        /** The global stream being read, where it is, and the time stamp of the last event read from it. */
        private EventStream stream;
        private long streamStart;
        private long nextToken;
        private long lastTimestamp = Long.MIN_VALUE;
        /** One after the token of the last located event of the aggregate: the next one is at or after it. */
        private long lowerBound;
        private long headToken = Long.MIN_VALUE;
        /** What locating cost: events located, events read from the global stream, streams opened (debug log). */
        private int located;
        private long scanned;
        private int streamsOpened;

        AggregateEvents(String aggregateId, Predicate<StoredEvent> wanted) {
            this.aggregateId = aggregateId;
            this.wanted = wanted;
            this.aggregate = events.openAggregateStream(aggregateId, false);
        }

        /** The next wanted event with its position, or null after the last. */
        StoredEvent next() {
            while (aggregate.hasNext()) {
                Event event;
                try {
                    event = aggregate.next();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted while reading aggregate " + aggregateId, e);
                }
                StoredEvent candidate = stored(event, -1);
                if (wanted.test(candidate)) {
                    return candidate.at(position(locate(event)));
                }
            }
            return null;
        }

        /** The token of {@code event}, an event of this aggregate after the last one located. */
        long locate(Event event) {
            long from = event.getTimestamp() - TIME_MARGIN_MILLIS;
            if (stream == null || nextToken < lowerBound) {
                open(Math.max(lowerBound, tokenAt(from)));
            } else if (lastTimestamp < from - TIME_MARGIN_MILLIS) {
                // the open stream is far behind the event: jump ahead rather than read the events in between
                long start = Math.max(lowerBound, tokenAt(from));
                if (start > nextToken) {
                    open(start);
                }
            }
            while (true) {
                Long found = search(event);
                if (found != null) {
                    lowerBound = found + 1;
                    located++;
                    return found;
                }
                if (streamStart <= lowerBound) {
                    throw new IllegalStateException("Event " + event.getMessageIdentifier() + " of aggregate "
                            + aggregateId + " (sequence " + event.getAggregateSequenceNumber()
                            + ") was not found in Axon Server's event stream.");
                }
                open(lowerBound); // the time-based start was past the event: search from the previous one
            }
        }

        /** Reads on until the event comes by (its token) or cannot come any more (null). */
        private Long search(Event event) {
            while (true) {
                if (nextToken > headToken) {
                    headToken = call(events.getLastToken());
                    if (nextToken > headToken) {
                        return null;
                    }
                }
                EventWithToken next = read(stream);
                if (next.getToken() < nextToken) {
                    continue;
                }
                scanned++;
                nextToken = next.getToken() + 1;
                Event read = next.getEvent();
                lastTimestamp = read.getTimestamp();
                if (read.getMessageIdentifier().equals(event.getMessageIdentifier())) {
                    return next.getToken();
                }
                if (read.getAggregateIdentifier().equals(aggregateId)
                        && read.getAggregateSequenceNumber() > event.getAggregateSequenceNumber()) {
                    return null; // a later event of the aggregate: this one is before the stream's start
                }
            }
        }

        private void open(long start) {
            if (stream != null) {
                stream.close();
            }
            streamStart = start;
            nextToken = start;
            lastTimestamp = Long.MIN_VALUE;
            stream = events.openStream(streamStart(start), bufferSize);
            streamsOpened++;
        }

        @Override
        public void close() {
            aggregate.cancel();
            if (stream != null) {
                stream.close();
            }
            log.debug("Located {} events of aggregate {}, reading {} events from {} streams", located, aggregateId,
                    scanned, streamsOpened);
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    /** The token of the first event stored at or after {@code epochMilli} (0 for an earlier time). */
    private long tokenAt(long epochMilli) {
        return Math.max(0, call(channel.get().getTokenAt(Math.max(0, epochMilli))));
    }

    private static EventWithToken read(EventStream stream) {
        try {
            EventWithToken next = stream.nextIfAvailable(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (next == null) {
                Throwable error = stream.getError().orElse(null);
                throw new IllegalStateException(stream.isClosed()
                        ? "Axon Server's event stream was closed" + (error == null ? "" : ": " + error)
                        : "No event from Axon Server within " + CALL_TIMEOUT_SECONDS + " s", error);
            }
            return next;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while reading Axon Server's event stream", e);
        }
    }

    private static long call(CompletableFuture<Long> future) {
        try {
            return future.get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while asking Axon Server", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Axon Server did not answer: " + e.getMessage(), e);
        }
    }
}
