package io.phasegate.query.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.axoniq.axonserver.connector.event.AggregateEventStream;
import io.axoniq.axonserver.connector.event.EventChannel;
import io.axoniq.axonserver.connector.event.EventStream;
import io.axoniq.axonserver.grpc.MetaDataValue;
import io.axoniq.axonserver.grpc.SerializedObject;
import io.axoniq.axonserver.grpc.event.Event;
import io.axoniq.axonserver.grpc.event.EventWithToken;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Axon Server source of the history without an Axon Server: the mapping of Axon Server's raw {@link Event} to a
 * stored event (positions = token + 1, the stored payload, type, revision and metadata), the token arithmetic, and
 * the range and aggregate reads over an in-memory event channel that behaves as the connector's (a stream opened
 * with token {@code t} starts at token {@code t + 1}; {@code getTokenAt} answers the first event stored at or after
 * a time), including an aggregate event whose time-based start is past it.
 */
class AxonServerStoredEventsTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final long T0 = Instant.parse("2026-03-14T09:26:53.589Z").toEpochMilli();

    // ------------------------------------------------------------------------------------------------------------
    // mapping and arithmetic

    @Test
    void positionsAreTokensPlusOneAndAStreamOpenedAtATokenStartsAfterIt() {
        assertThat(AxonServerStoredEvents.position(0)).isEqualTo(1);
        assertThat(AxonServerStoredEvents.token(1)).isEqualTo(0);
        assertThat(AxonServerStoredEvents.position(AxonServerStoredEvents.token(42))).isEqualTo(42);
        assertThat(AxonServerStoredEvents.streamStart(0)).isEqualTo(-1);
        assertThat(AxonServerStoredEvents.streamStart(7)).isEqualTo(6);
    }

    @Test
    void aRawEventIsTheStoredEventWithItsPositionPayloadTypeRevisionAndMetadata() {
        Event event = Event.newBuilder().setMessageIdentifier("e-1").setAggregateIdentifier("task-1")
                .setAggregateType("Task").setAggregateSequenceNumber(3).setTimestamp(T0)
                .setPayload(SerializedObject.newBuilder().setType("io.phasegate.events.task.TaskClaimedEvent")
                        .setRevision("1").setData(utf8("{\"taskId\":\"task-1\",\"orgId\":\"acme\"}")))
                .putMetaData("traceId", MetaDataValue.newBuilder().setTextValue("abc").build())
                .putMetaData("attempt", MetaDataValue.newBuilder().setNumberValue(2).build())
                .putMetaData("ratio", MetaDataValue.newBuilder().setDoubleValue(0.5).build())
                .putMetaData("replay", MetaDataValue.newBuilder().setBooleanValue(true).build())
                .putMetaData("caller", MetaDataValue.newBuilder().setBytesValue(SerializedObject.newBuilder()
                        .setType("x.Caller").setData(utf8("{\"sub\":\"alice\",\"roles\":[\"admin\"]}"))).build())
                .putMetaData("blob", MetaDataValue.newBuilder().setBytesValue(SerializedObject.newBuilder()
                        .setType("x.Blob").setData(utf8("not json {"))).build())
                .build();

        StoredEvent stored = AxonServerStoredEvents.stored(event, 41);

        assertThat(stored.position()).isEqualTo(42);
        assertThat(stored.eventId()).isEqualTo("e-1");
        assertThat(stored.payloadType()).isEqualTo("io.phasegate.events.task.TaskClaimedEvent");
        assertThat(stored.revision()).isEqualTo("1");
        assertThat(stored.aggregateId()).isEqualTo("task-1");
        assertThat(stored.aggregateType()).isEqualTo("Task");
        assertThat(stored.sequence()).isEqualTo(3);
        assertThat(stored.timestamp()).isEqualTo("2026-03-14T09:26:53.589Z");
        assertThat(stored.epochMilli()).isEqualTo(T0);
        assertThat(new String(stored.payload(), StandardCharsets.UTF_8))
                .isEqualTo("{\"taskId\":\"task-1\",\"orgId\":\"acme\"}");
        JsonNode metadata = JSON.readTree(stored.metadata());
        assertThat(metadata.propertyNames()).containsExactly("attempt", "blob", "caller", "ratio", "replay",
                "traceId");
        assertThat(metadata.path("traceId").asString()).isEqualTo("abc");
        assertThat(metadata.path("attempt").isIntegralNumber()).isTrue();
        assertThat(metadata.path("attempt").asLong()).isEqualTo(2);
        assertThat(metadata.path("ratio").asDouble()).isEqualTo(0.5);
        assertThat(metadata.path("replay").asBoolean()).isTrue();
        assertThat(metadata.path("caller").path("roles").get(0).asString()).isEqualTo("admin");
        assertThat(metadata.path("blob").asString()).isEqualTo("not json {");

        // encoded as the JDBC store's rows are: the same item shape
        HistoryEncoder encoder = new HistoryEncoder(HistoryEncoder.Format.NDJSON);
        encoder.item(stored.position(), stored.eventId(), stored.payloadType(), stored.revision(),
                stored.aggregateId(), stored.aggregateType(), stored.sequence(), stored.timestamp(),
                stored.metadata(), stored.payload());
        JsonNode item = JSON.readTree(encoder.drain().get(0));
        assertThat(item.path("type").asString()).isEqualTo("TaskClaimedEvent");
        assertThat(item.path("payload").path("orgId").asString()).isEqualTo("acme");
        assertThat(item.path("metadata").path("traceId").asString()).isEqualTo("abc");
    }

    @Test
    void anEventWithoutAggregateOrRevisionIsRecordedAsTheJdbcStoreRecordsIt() {
        Event event = Event.newBuilder().setMessageIdentifier("e-2").setTimestamp(T0)
                .setPayload(SerializedObject.newBuilder().setType("x.Notice").setData(utf8("{}"))).build();
        StoredEvent stored = AxonServerStoredEvents.stored(event, -1);
        assertThat(stored.position()).isEqualTo(-1);
        assertThat(stored.aggregateId()).isEqualTo("e-2");
        assertThat(stored.aggregateType()).isNull();
        assertThat(stored.sequence()).isZero();
        assertThat(stored.revision()).isNull();
        assertThat(new String(stored.metadata(), StandardCharsets.UTF_8)).isEqualTo("{}");
    }

    // ------------------------------------------------------------------------------------------------------------
    // ranges

    @Test
    void aRangeIsReadPageByPageFromItsFirstPositionToItsLastAndTheStreamIsClosed() {
        FakeAxonServer server = new FakeAxonServer();
        for (int i = 0; i < 10; i++) {
            server.append(taskEvent("t-" + (i % 2), i / 2, i % 3 == 0 ? "other" : "acme", T0 + i * 1000L));
        }
        AxonServerStoredEvents store = new AxonServerStoredEvents(server::channel, 100);
        assertThat(store.headPosition()).isEqualTo(10);

        HistoryFilter all = filter(null, null, null);
        List<Long> positions = new ArrayList<>();
        try (StoredEvents.Scan scan = store.scan(all, 3, 8, 2)) {
            boolean over;
            int pages = 0;
            do {
                over = scan.next(e -> positions.add(e.position()));
                pages++;
            } while (!over);
            assertThat(pages).isEqualTo(3);
        }
        assertThat(positions).containsExactly(4L, 5L, 6L, 7L, 8L);
        assertThat(server.opened).hasSize(1);
        assertThat(server.opened.get(0).closed).isTrue();
        assertThat(server.opened.get(0).delivered).as("no event read past the range").isLessThanOrEqualTo(5 + 2);

        // a sink that stops: the scan is not over
        try (StoredEvents.Scan scan = store.scan(all, 0, 10, 5)) {
            assertThat(scan.next(e -> e.position() < 2)).isFalse();
        }
        // an empty range opens nothing
        int before = server.opened.size();
        try (StoredEvents.Scan scan = store.scan(all, 10, 10, 5)) {
            assertThat(scan.next(e -> true)).isTrue();
        }
        assertThat(server.opened).hasSize(before);
    }

    @Test
    void aTimeRangeStartsAtAxonServersTokenForItsStartLessTheMarginAndEndsAfterItsEndPlusTheMargin() {
        FakeAxonServer server = new FakeAxonServer();
        for (int i = 0; i < 100; i++) {
            server.append(taskEvent("t-" + i, 0, "acme", T0 + i * 1000L)); // one a second
        }
        AxonServerStoredEvents store = new AxonServerStoredEvents(server::channel, 100);
        HistoryFilter window = filter(null, Instant.ofEpochMilli(T0 + 50_000), Instant.ofEpochMilli(T0 + 60_000));
        List<Long> matched = new ArrayList<>();
        List<Long> scanned = new ArrayList<>();
        try (StoredEvents.Scan scan = store.scan(window, 0, 100, 1000)) {
            assertThat(scan.next(e -> {
                scanned.add(e.position());
                if (window.matches(e)) {
                    matched.add(e.position());
                }
                return true;
            })).isTrue();
        }
        assertThat(matched).containsExactlyElementsOf(range(51, 61));
        // from 10 s before the window to the first event more than 10 s after it
        assertThat(scanned.get(0)).isEqualTo(41);
        assertThat(scanned.get(scanned.size() - 1)).isEqualTo(71);
    }

    @Test
    void theHistoryReadsAxonServerPageByPageAndAResponseThatEndsClosesItsStream() {
        FakeAxonServer server = new FakeAxonServer();
        for (int i = 0; i < 23; i++) {
            server.append(taskEvent("t-" + i, 0, i % 4 == 3 ? "other" : "acme", T0 + i));
        }
        EventHistory history = new EventHistory(new AxonServerStoredEvents(server::channel, 100), 5);

        // read to the end: every event of the organisation, in order, positions from 1; the stream is closed
        EventHistory.Cursor all = history.open(filter(null, null, null), HistoryEncoder.Format.NDJSON);
        List<Long> positions = new ArrayList<>();
        int pages = 0;
        while (!all.done) {
            for (byte[] chunk : history.next(all)) {
                for (String line : new String(chunk, StandardCharsets.UTF_8).split("\n")) {
                    JsonNode item = JSON.readTree(line);
                    assertThat(item.path("payload").path("orgId").asString()).isEqualTo("acme");
                    positions.add(item.path("position").asLong());
                }
            }
            pages++;
        }
        assertThat(positions).hasSize(18).startsWith(1L, 2L, 3L, 5L).endsWith(23L).isSorted();
        assertThat(pages).isEqualTo(5);
        assertThat(server.opened).hasSize(1);
        assertThat(server.opened.get(0).closed).isTrue();

        // a client that goes away after the first page: the response's end closes the open stream
        EventHistory.Cursor left = history.open(filter(null, null, null), HistoryEncoder.Format.NDJSON);
        assertThat(history.next(left)).isNotEmpty();
        assertThat(left.done).isFalse();
        assertThat(server.opened.get(1).closed).isFalse();
        left.close();
        assertThat(server.opened.get(1).closed).isTrue();
        assertThat(server.opened.get(1).delivered).as("read no further than the page").isEqualTo(5);
    }

    // ------------------------------------------------------------------------------------------------------------
    // one aggregate

    @Test
    void anAggregatesEventsAreLocatedWithTheirExactPositions() {
        FakeAxonServer server = new FakeAxonServer();
        List<Long> expected = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            long time = T0 + i * 1000L;
            if (i % 40 == 5) {
                server.append(taskEvent("task-a", expected.size(), "acme", time));
                expected.add((long) server.size());
            } else {
                server.append(taskEvent("noise-" + i, 0, "acme", time));
            }
        }
        AxonServerStoredEvents store = new AxonServerStoredEvents(server::channel, 100);
        List<Long> positions = new ArrayList<>();
        store.readAggregate("task-a", null, null, e -> true, e -> positions.add(e.position()));
        assertThat(positions).isEqualTo(expected);
        // each event was found from about its time, not by reading the store from its start
        assertThat(server.delivered()).isLessThan(5 * 30);

        // as of a position and a time
        positions.clear();
        store.readAggregate("task-a", expected.get(2), null, e -> true, e -> positions.add(e.position()));
        assertThat(positions).isEqualTo(expected.subList(0, 3));
        positions.clear();
        store.readAggregate("task-a", null, Instant.ofEpochMilli(T0 + 45_000), e -> true,
                e -> positions.add(e.position()));
        assertThat(positions).isEqualTo(expected.subList(0, 2));
        // events not wanted are not located
        positions.clear();
        store.readAggregate("task-a", null, null, e -> e.sequence() == 4, e -> positions.add(e.position()));
        assertThat(positions).containsExactly(expected.get(4));
        // an unknown aggregate has no events
        store.readAggregate("nothing", null, null, e -> true, e -> positions.add(e.position()));
        assertThat(positions).hasSize(1);
    }

    @Test
    void anEventStoredLongAfterItsTimeIsStillLocatedExactly() {
        FakeAxonServer server = new FakeAxonServer();
        for (int i = 0; i < 50; i++) {
            server.append(taskEvent("noise-" + i, 0, "acme", T0 + i * 1000L));
        }
        server.append(taskEvent("task-b", 0, "acme", T0 + 1000L)); // created early, stored at position 51
        for (int i = 50; i < 60; i++) {
            server.append(taskEvent("noise-" + i, 0, "acme", T0 + i * 1000L));
        }
        server.append(taskEvent("task-b", 1, "acme", T0 + 60_000L)); // position 62
        // Axon Server's time index may answer a token past such an event (a later segment): here, always
        server.tokenAt = instant -> 55;
        AxonServerStoredEvents store = new AxonServerStoredEvents(server::channel, 100);
        List<Long> positions = new ArrayList<>();
        store.readAggregate("task-b", null, null, e -> true, e -> positions.add(e.position()));
        assertThat(positions).containsExactly(51L, 62L);

        // a range filtered by the aggregate gives the same, within its bounds
        HistoryFilter byAggregate = new HistoryFilter("acme", "task-b", List.of(), null, null, null, null, null);
        positions.clear();
        try (StoredEvents.Scan scan = store.scan(byAggregate, 51, 62, 10)) {
            assertThat(scan.next(e -> positions.add(e.position()))).isTrue();
        }
        assertThat(positions).containsExactly(62L);
        assertThat(server.opened).allSatisfy(stream -> assertThat(stream.closed).isTrue());
    }

    @Test
    void anEventMissingFromTheStreamIsAnErrorNotAWrongPosition() {
        FakeAxonServer server = new FakeAxonServer();
        server.append(taskEvent("noise", 0, "acme", T0));
        server.aggregateOnly(taskEvent("task-c", 0, "acme", T0 + 10));
        AxonServerStoredEvents store = new AxonServerStoredEvents(server::channel, 100);
        assertThatThrownBy(() -> store.readAggregate("task-c", null, null, e -> true, e -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("was not found");
    }

    // ------------------------------------------------------------------------------------------------------------

    static HistoryFilter filter(String aggregateId, Instant from, Instant to) {
        return new HistoryFilter("acme", aggregateId, List.of(), null, null, from, to, null);
    }

    static List<Long> range(long first, long last) {
        List<Long> values = new ArrayList<>();
        for (long v = first; v <= last; v++) {
            values.add(v);
        }
        return values;
    }

    static ByteString utf8(String text) {
        return ByteString.copyFromUtf8(text);
    }

    private static int ids;

    static Event taskEvent(String aggregateId, long sequence, String orgId, long time) {
        return Event.newBuilder().setMessageIdentifier("id-" + (ids++)).setAggregateIdentifier(aggregateId)
                .setAggregateType("Task").setAggregateSequenceNumber(sequence).setTimestamp(time)
                .setPayload(SerializedObject.newBuilder().setType("io.phasegate.events.task.TaskClaimedEvent")
                        .setRevision("1").setData(utf8("{\"taskId\":\"" + aggregateId + "\",\"orgId\":\"" + orgId
                                + "\"}")))
                .build();
    }

    /** An in-memory event store answering as Axon Server's event channel does (the calls the history makes). */
    static final class FakeAxonServer {
        final List<Event> events = new ArrayList<>();
        final List<Event> aggregateOnly = new ArrayList<>();
        final List<FakeStream> opened = new ArrayList<>();
        LongUnaryOperator tokenAt = this::firstTokenAt;

        void append(Event event) {
            events.add(event);
        }

        /** An event the aggregate read returns but the global stream does not (a store that lost it). */
        void aggregateOnly(Event event) {
            aggregateOnly.add(event);
        }

        int size() {
            return events.size();
        }

        long delivered() {
            return opened.stream().mapToLong(s -> s.delivered).sum();
        }

        long firstTokenAt(long instant) {
            for (int token = 0; token < events.size(); token++) {
                if (events.get(token).getTimestamp() >= instant) {
                    return token;
                }
            }
            return events.size();
        }

        EventChannel channel() {
            EventChannel channel = (EventChannel) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {EventChannel.class}, (proxy, method, args) -> switch (method.getName()) {
                        case "getLastToken" -> CompletableFuture.completedFuture((long) events.size() - 1);
                        case "getTokenAt" -> CompletableFuture.completedFuture(tokenAt.applyAsLong((Long) args[0]));
                        case "openStream" -> {
                            FakeStream stream = new FakeStream((Long) args[0] + 1);
                            opened.add(stream);
                            yield stream;
                        }
                        case "openAggregateStream" -> aggregateStream((String) args[0]);
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
            return channel;
        }

        AggregateEventStream aggregateStream(String aggregateId) {
            List<Event> own = new ArrayList<>();
            for (Event event : events) {
                if (event.getAggregateIdentifier().equals(aggregateId)) {
                    own.add(event);
                }
            }
            for (Event event : aggregateOnly) {
                if (event.getAggregateIdentifier().equals(aggregateId)) {
                    own.add(event);
                }
            }
            Iterator<Event> iterator = own.iterator();
            return new AggregateEventStream() {
                @Override
                public Event next() {
                    return iterator.next();
                }

                @Override
                public boolean hasNext() {
                    return iterator.hasNext();
                }

                @Override
                public void cancel() {
                }
            };
        }

        /** The global stream from a token; at the head it has nothing (never blocks). */
        final class FakeStream implements EventStream {
            long next;
            long delivered;
            boolean closed;

            FakeStream(long first) {
                this.next = first;
            }

            @Override
            public EventWithToken nextIfAvailable() {
                if (closed || next >= events.size()) {
                    return null;
                }
                delivered++;
                long token = next++;
                return EventWithToken.newBuilder().setToken(token).setEvent(events.get((int) token)).build();
            }

            @Override
            public EventWithToken nextIfAvailable(long timeout, TimeUnit unit) {
                return nextIfAvailable();
            }

            @Override
            public EventWithToken next() {
                return nextIfAvailable();
            }

            @Override
            public EventWithToken peek() {
                throw new UnsupportedOperationException();
            }

            @Override
            public void onAvailable(Runnable callback) {
            }

            @Override
            public void close() {
                closed = true;
            }

            @Override
            public boolean isClosed() {
                return closed;
            }

            @Override
            public Optional<Throwable> getError() {
                return Optional.empty();
            }

            @Override
            public void excludePayloadType(String type, String revision) {
            }
        }
    }

}
