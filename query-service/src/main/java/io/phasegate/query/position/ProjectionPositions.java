package io.phasegate.query.position;

import io.phasegate.platform.axon.EventStorePositions;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import io.phasegate.platform.web.ApiException;
import io.phasegate.platform.web.BlockingExecutor;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Read-your-writes: waits until the named projections have processed the event at a global position (the
 * {@code position} a command answered with), without blocking a thread. Every segment's token must cover the
 * position; a gap-aware token does not cover a position that is still a gap.
 */
@Component
public class ProjectionPositions {

    private static final Duration POLL = Duration.ofMillis(5);

    private final EventProcessingConfiguration processing;
    private final Duration maxWait;
    private final ObjectProvider<EventStore> eventStore;
    private final ObjectProvider<BlockingExecutor> blocking;

    public ProjectionPositions(EventProcessingConfiguration processing,
                               @Value("${phasegate.query.max-wait-ms:5000}") long maxWaitMs,
                               ObjectProvider<EventStore> eventStore, ObjectProvider<BlockingExecutor> blocking) {
        this.processing = processing;
        this.maxWait = Duration.ofMillis(maxWaitMs);
        this.eventStore = eventStore;
        this.blocking = blocking;
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
        if (position == null || position <= 0 || reached(processingGroup, position)) {
            return Mono.empty();
        }
        return Flux.interval(POLL)
                .filter(tick -> reached(processingGroup, position))
                .next()
                .timeout(maxWait, Mono.error(() -> new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "position_not_reached",
                        "The query model has not reached position " + position + " yet; retry shortly.",
                        Map.of("retry_after_seconds", 1))))
                .then();
    }

    boolean reached(String processingGroup, long position) {
        Optional<StreamingEventProcessor> processor = processing.eventProcessor(processingGroup, StreamingEventProcessor.class);
        if (processor.isEmpty()) {
            return false;
        }
        Collection<EventTrackerStatus> statuses = processor.get().processingStatus().values();
        if (statuses.isEmpty()) {
            return false;
        }
        for (EventTrackerStatus status : statuses) {
            if (status.isErrorState() || !covers(status.getTrackingToken(), position)) {
                return false;
            }
        }
        return true;
    }

    static boolean covers(TrackingToken token, long position) {
        return EventStorePositions.covers(token, position);
    }
}
