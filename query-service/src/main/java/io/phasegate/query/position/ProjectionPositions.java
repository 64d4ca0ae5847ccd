package io.phasegate.query.position;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.phasegate.platform.axon.EventStorePositions;
import io.phasegate.platform.web.ApiException;
import io.phasegate.platform.web.BlockingExecutor;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.AbstractEventProcessor;
import org.axonframework.eventhandling.EventHandlerInvoker;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.GapAwareTrackingToken;
import org.axonframework.eventhandling.Segment;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventhandling.WrappedToken;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Read-your-writes: waits until the named projections have processed the event at a global position (the
 * {@code position} a command answered with), without blocking a thread. Every segment's token must cover the
 * position; a gap-aware token does not cover a position that is still a gap.
 *
 * <p>Several query-service instances share the projections: each segment is processed by the one instance that has
 * claimed it. The segments this instance processes are checked in memory (their processing status); when another
 * instance holds some or all of them, the tokens they stored are read from the token store (in the same transaction
 * as the rows, so a covering token means the rows are there). Those reads are shared by every waiting request and
 * made at most once per {@value #STORE_POLL_MILLIS} ms per processor. A stored token that has not reached the
 * position still does when the events in between are all of types the processor does not handle.
 */
@Component
public class ProjectionPositions {

    private static final Duration POLL = Duration.ofMillis(5);
    static final long STORE_POLL_MILLIS = 20;
    /** All segments together: each segment with mask {@code m} is {@code 1/(m+1)} of it. */
    private static final long WHOLE = 1L << 32;
    /** More gaps than this below a position: not worth a look at their events' types, wait for the token. */
    private static final int MAX_GAPS_CHECKED = 100;

    private final EventProcessingConfiguration processing;
    private final Duration maxWait;
    private final ObjectProvider<EventStore> eventStore;
    private final ObjectProvider<BlockingExecutor> blocking;
    private final StoredTokens storedTokens;
    private final AsyncCache<String, List<StoredTokens.Segment>> stored = Caffeine.newBuilder()
            .expireAfterWrite(Duration.ofMillis(STORE_POLL_MILLIS)).buildAsync();
    private final AsyncCache<Range, Boolean> ignorable = Caffeine.newBuilder().maximumSize(10_000)
            .expireAfterWrite(Duration.ofMillis(STORE_POLL_MILLIS)).buildAsync();

    public ProjectionPositions(EventProcessingConfiguration processing,
                               @Value("${phasegate.query.max-wait-ms:5000}") long maxWaitMs,
                               ObjectProvider<EventStore> eventStore, ObjectProvider<BlockingExecutor> blocking,
                               StoredTokens storedTokens) {
        this.processing = processing;
        this.maxWait = Duration.ofMillis(maxWaitMs);
        this.eventStore = eventStore;
        this.blocking = blocking;
        this.storedTokens = storedTokens;
    }

    /**
     * Completes once {@code processingGroup} has processed every event stored when this is called (the head of the
     * event store), within the same max wait as {@link #await(String, Long)}. For a check that knows the query model
     * is behind but not which position it needs (a phase token newer than the projected task).
     */
    public Mono<Void> awaitHead(String processingGroup) {
        return blocking.getObject().call(() -> eventStore.getObject().createHeadToken())
                .map(head -> EventStorePositions.position(head).orElse(-1L))
                .flatMap(position -> await(processingGroup, position));
    }

    /** Completes once every one of {@code processingGroups} has processed {@code position} (see {@link #await(String, Long)}). */
    public Mono<Void> await(Collection<String> processingGroups, Long position) {
        if (position == null || position <= 0) {
            return Mono.empty();
        }
        return Flux.fromIterable(processingGroups).concatMap(group -> await(group, position)).then();
    }

    /** Completes once {@code processingGroup} has processed {@code position}; fails with 503 after the max wait. */
    public Mono<Void> await(String processingGroup, Long position) {
        // positions start at 1 in every storage mode (EventStorePositions): 0 or less is before every event
        if (position == null || position <= 0 || local(processingGroup, position) == Progress.REACHED) {
            return Mono.empty();
        }
        return Flux.interval(Duration.ZERO, POLL)
                .onBackpressureDrop()
                .concatMap(tick -> reached(processingGroup, position), 1)
                .filter(Boolean::booleanValue)
                .next()
                .timeout(maxWait, Mono.error(() -> new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "position_not_reached",
                        "The query model has not reached position " + position + " yet; retry shortly.",
                        Map.of("retry_after_seconds", 1))))
                .then();
    }

    /** Whether {@code processingGroup} has processed {@code position}, on whichever instances process it. */
    Mono<Boolean> reached(String processingGroup, long position) {
        return switch (local(processingGroup, position)) {
            case REACHED -> Mono.just(true);
            case BEHIND -> Mono.just(false);
            case ELSEWHERE -> Mono.fromFuture(() -> stored.get(processingGroup,
                            (group, executor) -> blocking.getObject().call(() -> storedTokens.of(group)).toFuture()))
                    .flatMap(segments -> segments.isEmpty() ? Mono.just(false) : Flux.fromIterable(segments)
                            .concatMap(segment -> storedCovers(processingGroup, segment.token(), position))
                            .all(Boolean::booleanValue));
        };
    }

    /**
     * Whether a stored token covers {@code position}, or everything between it and the position is of event types
     * the processor does not handle. A processor stores its token after events it ignores only when no event it
     * handles follows within its event availability timeout (1 s), so the stored token of, say, the organisations
     * projection is up to a second behind a task event: for read-your-writes that event does not matter to it.
     */
    private Mono<Boolean> storedCovers(String processingGroup, TrackingToken stored, long position) {
        if (covers(stored, position)) {
            return Mono.just(true);
        }
        TrackingToken token = WrappedToken.unwrapLowerBound(stored);
        if (token == null) {
            return Mono.just(false);
        }
        Optional<EventHandlerInvoker> invoker = processing.eventProcessor(processingGroup, AbstractEventProcessor.class)
                .map(AbstractEventProcessor::eventHandlerInvoker);
        List<Long> gaps = token instanceof GapAwareTrackingToken gapAware
                ? gapAware.getGaps().stream().filter(gap -> gap <= position).toList() : List.of();
        if (invoker.isEmpty() || gaps.size() > MAX_GAPS_CHECKED) {
            return Mono.just(false);
        }
        Range range = new Range(processingGroup, token, gaps, position);
        return Mono.fromFuture(() -> ignorable.get(range, (key, executor) -> blocking.getObject()
                .call(() -> storedTokens.payloadTypes(key.from(), key.upTo(), key.gaps())
                        .map(types -> types.stream().noneMatch(type -> handles(invoker.get(), type)))
                        .orElse(false))
                .toFuture()));
    }

    /** Whether the invoker may handle events of the named payload type (a type this service cannot load: maybe). */
    private boolean handles(EventHandlerInvoker invoker, String payloadType) {
        try {
            return invoker.canHandleType(Class.forName(payloadType, false, getClass().getClassLoader()));
        } catch (ClassNotFoundException | LinkageError e) {
            return true;
        }
    }

    /** A stretch of the event store a stored token has not passed. */
    private record Range(String processingGroup, TrackingToken from, List<Long> gaps, long upTo) {
    }

    /** What this instance's own segments of the processor say about {@code position}. */
    Progress local(String processingGroup, long position) {
        Optional<StreamingEventProcessor> processor = processing.eventProcessor(processingGroup, StreamingEventProcessor.class);
        if (processor.isEmpty()) {
            return Progress.BEHIND; // not a processor of this service: never reached
        }
        Collection<EventTrackerStatus> statuses = processor.get().processingStatus().values();
        long share = 0;
        for (EventTrackerStatus status : statuses) {
            if (status.isErrorState() || !covers(status.getTrackingToken(), position)) {
                return Progress.BEHIND;
            }
            Segment segment = status.getSegment();
            share += WHOLE / (segment.getMask() + 1L);
        }
        return share >= WHOLE ? Progress.REACHED : Progress.ELSEWHERE;
    }

    static boolean covers(TrackingToken token, long position) {
        return EventStorePositions.covers(token, position);
    }

    /** This instance's view of a processor's progress. */
    enum Progress {
        /** Every segment is processed here and has passed the position. */
        REACHED,
        /** A segment processed here has not passed it (or failed): not reached, whatever the others say. */
        BEHIND,
        /** Some or all segments are processed by another instance: the token store decides. */
        ELSEWHERE
    }
}
