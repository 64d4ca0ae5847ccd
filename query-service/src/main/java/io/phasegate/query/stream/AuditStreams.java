package io.phasegate.query.stream;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.phasegate.events.audit.AuditRecordView;
import io.phasegate.events.audit.AuditStreamPage;
import io.phasegate.events.audit.FindAuditStreamQuery;
import io.phasegate.platform.web.ApiException;
import io.phasegate.platform.web.BlockingExecutor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.axonframework.queryhandling.SubscriptionQueryResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Component;
import reactor.core.publisher.BufferOverflowStrategy;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.ObjectMapper;

/**
 * The live streams of audit records of an organisation (all of them, or those of one aggregate type), as SSE events:
 * {@code id:} the record's global position, {@code event:} its event type, {@code data:} the record as JSON.
 *
 * <p>Behind each stream is an Axon subscription query ({@link FindAuditStreamQuery}): its initial result is the first
 * page of records after the resume point, read from the table; further pages are read until the stream has caught
 * up with the chain's head; then the updates the projection emits after each commit are passed on. Records travel in
 * chain order, each organisation's records being numbered {@code chain_sequence} 1, 2, 3, …, so the stream knows
 * exactly what it has passed: an update at or below that is a duplicate and dropped; an update beyond the next one
 * means updates were missed (emitted before the stream caught up, beyond Axon's small replay buffer) and the gap is
 * filled from the table. Hence no gap and no duplicate, also when resuming from {@code Last-Event-ID} after a
 * reconnect or a restart: the records are persisted, and a position is mapped to its place in the chain.
 *
 * <p>Bounded memory: a client that does not read makes the server stop reading the table (catching up is pulled by
 * the client's demand) and fills a buffer of {@code phasegate.streams.buffer-size} live records; beyond that it is
 * disconnected (it may resume with {@code Last-Event-ID}) while other clients go on. The projection emits a batch's
 * records at once after its commit, so the buffer must hold more than a processor batch (100). A {@code : keep-alive} comment
 * is sent every {@code phasegate.streams.heartbeat-interval}; heartbeats a blocked client cannot take are dropped.
 */
@Component
public class AuditStreams {

    /** The aggregate type of tasks: their records (task and tool events) make the task stream. */
    public static final String TASK_AGGREGATE = "Task";

    private static final Logger log = LoggerFactory.getLogger(AuditStreams.class);
    /** Updates Axon keeps for a stream that is still catching up; more are filled in from the table. */
    private static final int UPDATE_REPLAY = 32;
    private static final int LIVE_PREFETCH = 32;
    private static final byte[] OPENED = frame(ServerSentEvent.<String>builder()
            .comment(" stream open").retry(Duration.ofSeconds(3)).build());
    private static final byte[] HEARTBEAT = frame(ServerSentEvent.<String>builder().comment(" keep-alive").build());

    private final QueryGateway queries;
    private final BlockingExecutor blocking;
    private final ObjectMapper json;
    private final StreamProperties properties;
    private final StreamConnections connections;
    /** Recently sent records' frames by position: the live tail that all streams pass at about the same time. */
    private final Cache<Long, byte[]> encoded = Caffeine.newBuilder().maximumSize(4_096).build();

    AuditStreams(QueryGateway queries, BlockingExecutor blocking, ObjectMapper json, StreamProperties properties,
                 StreamConnections connections) {
        this.queries = queries;
        this.blocking = blocking;
        this.json = json;
        this.properties = properties;
        this.connections = connections;
    }

    /**
     * The stream of an organisation's records of {@code aggregateType} ({@code null}: all) after
     * {@code afterPosition} ({@code null}: from now on). {@code disconnect} closes the client's connection; it is
     * used when the client falls behind its buffer (the stream then ends). Fails with 429 when the organisation has
     * too many streams open. The stream is {@code text/event-stream} bytes: each SSE frame is formatted once and
     * its bytes shared by every stream that sends it ({@code buffers} wraps them without copying).
     */
    Flux<DataBuffer> open(String orgId, String aggregateType, Long afterPosition, Runnable disconnect,
                          DataBufferFactory buffers) {
        return Flux.defer(() -> {
            if (!connections.tryOpen(orgId, properties.maxConnectionsPerOrg())) {
                return Flux.error(new ApiException(HttpStatus.TOO_MANY_REQUESTS, "too_many_streams",
                        "Your organisation has " + properties.maxConnectionsPerOrg()
                                + " streams open, the most allowed; close one or retry later.",
                        Map.of("retry_after_seconds", 5)));
            }
            // a client that falls behind its buffer is disconnected (once); its stream ends
            Sinks.Empty<Void> overflowed = Sinks.empty();
            AtomicBoolean dropped = new AtomicBoolean();
            Runnable dropClient = () -> {
                if (dropped.compareAndSet(false, true)) {
                    log.info("Disconnecting a stream client of organisation {} that fell more than {} records "
                            + "behind", orgId, properties.bufferSize());
                    disconnect.run();
                    overflowed.tryEmitEmpty();
                }
            };
            Sinks.Empty<Void> ended = Sinks.empty();
            Flux<byte[]> events = records(orgId, aggregateType, afterPosition, dropClient)
                    .map(this::frame)
                    .takeUntilOther(overflowed.asMono())
                    .doFinally(signal -> ended.tryEmitEmpty());
            Duration interval = properties.heartbeatInterval();
            Flux<byte[]> heartbeats = Flux.interval(interval, interval)
                    .onBackpressureDrop()
                    .map(tick -> HEARTBEAT)
                    .takeUntilOther(ended.asMono());
            return Flux.concat(Mono.just(OPENED), Flux.merge(events, heartbeats))
                    .map(buffers::wrap)
                    .doFinally(signal -> connections.close(orgId));
        });
    }

    /** The records of the stream, in chain order, without gap or duplicate. */
    Flux<AuditRecordView> records(String orgId, String aggregateType, Long afterPosition, Runnable onOverflow) {
        int pageSize = properties.pageSize();
        return Flux.using(
                () -> queries.subscriptionQuery(FindAuditStreamQuery.class.getName(),
                        new FindAuditStreamQuery(orgId, aggregateType, afterPosition, null, null, pageSize),
                        ResponseTypes.instanceOf(AuditStreamPage.class), ResponseTypes.instanceOf(AuditRecordView.class),
                        UPDATE_REPLAY),
                subscription -> {
                    // the chain sequence up to which every record of the organisation has been passed (or skipped)
                    AtomicLong passed = new AtomicLong(-1);
                    Flux<AuditRecordView> catchUp = pages(subscription.initialResult()
                            .subscribeOn(blocking.scheduler()), orgId, aggregateType, null, passed);
                    Flux<AuditRecordView> live = subscription.updates()
                            // (an update dropped here would be read from the table later, as any missed update)
                            .onBackpressureBuffer(properties.bufferSize(), dropped -> onOverflow.run(),
                                    BufferOverflowStrategy.DROP_LATEST)
                            .publishOn(Schedulers.parallel(), LIVE_PREFETCH)
                            .concatMap(update -> next(update, orgId, aggregateType, passed), 1);
                    return Flux.concat(catchUp, live);
                },
                SubscriptionQueryResult::cancel);
    }

    private Flux<AuditRecordView> next(AuditRecordView update, String orgId, String aggregateType, AtomicLong passed) {
        long sequence = update.chainSequence();
        long current = passed.get();
        if (sequence <= current) {
            return Flux.empty(); // already passed (read from the table while catching up)
        }
        if (sequence == current + 1) {
            passed.set(sequence);
            return aggregateType == null || aggregateType.equals(update.aggregateType()) ? Flux.just(update)
                    : Flux.empty();
        }
        // updates were missed: read the records in between (and this one) from the table
        return pages(page(new FindAuditStreamQuery(orgId, aggregateType, null, current, sequence,
                properties.pageSize())), orgId, aggregateType, sequence, passed);
    }

    /** The records of {@code first} and of the pages after it (up to {@code until}), noting how far they went. */
    private Flux<AuditRecordView> pages(Mono<AuditStreamPage> first, String orgId, String aggregateType, Long until,
                                        AtomicLong passed) {
        return first
                .expand(page -> page.more() ? page(new FindAuditStreamQuery(orgId, aggregateType, null,
                        page.throughSequence(), until, properties.pageSize())) : Mono.empty())
                .concatMapIterable(page -> {
                    passed.accumulateAndGet(page.throughSequence(), Math::max);
                    return page.items();
                }, 1);
    }

    private Mono<AuditStreamPage> page(FindAuditStreamQuery query) {
        return blocking.call(() -> queries.query(query, ResponseTypes.instanceOf(AuditStreamPage.class)).join());
    }

    /**
     * The record's SSE frame ({@code id:} position, {@code event:} type, {@code data:} the record as JSON). A live
     * record reaches every open stream of its organisation: it is serialised and formatted once, and the bytes are
     * shared (records are immutable and keyed by their global position), not once per subscriber.
     */
    private byte[] frame(AuditRecordView record) {
        return encoded.get(record.position(), position -> frame(ServerSentEvent.<String>builder()
                .id(Long.toString(position))
                .event(record.eventType())
                .data(json.writeValueAsString(record))
                .build()));
    }

    /** The event as Spring's SSE writer puts it on the wire (one {@code data:} line: the JSON has no line breaks). */
    static byte[] frame(ServerSentEvent<String> event) {
        String data = event.data();
        if (data != null && (data.indexOf('\n') >= 0 || data.indexOf('\r') >= 0)) {
            throw new IllegalArgumentException("SSE data of one line expected");
        }
        return (event.format() + (data == null ? "\n" : data + "\n\n")).getBytes(StandardCharsets.UTF_8);
    }
}
