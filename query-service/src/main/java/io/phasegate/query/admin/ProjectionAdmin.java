package io.phasegate.query.admin;

import io.phasegate.platform.identity.CallerIdentity;
import io.phasegate.platform.web.ApiException;
import io.phasegate.query.position.StoredTokens;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventProcessor;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.ReplayToken;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventhandling.TrackingEventProcessor;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventhandling.WrappedToken;
import org.axonframework.eventhandling.tokenstore.UnableToClaimTokenException;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Rebuilds projections and reports their progress. The projections are query-service's streaming event processors,
 * discovered from Axon's configuration (today {@code tasks}, {@code workflows}, {@code tool-calls},
 * {@code workflow-metrics}, {@code audit}); a new one is listed without changes here.
 *
 * <p><b>Rebuild.</b> The processor is shut down on this instance, its tokens are reset ({@code @ResetHandler}s
 * empty its tables in the same transaction) and it is started again: it replays the event store from the start
 * and then continues live. Side effects are not re-run: projections only write their own tables; the task
 * projection emits no subscription updates while replaying ({@code ReplayToken.isReplay}); no query-service handler
 * calls anything outside. While a projection rebuilds, its tables fill up again: reads see partial data, and reads
 * with {@code min_position} wait (up to the configured maximum) until the replay has passed that position.
 *
 * <p><b>Multi-instance.</b> A reset needs every segment's token: if another instance holds one, the rebuild is
 * refused (409 {@code projection_claimed_elsewhere}) and the processor resumes. Progress shows the segments this
 * instance processes; on an instance that processes none of them, the segments as the token store has them (what
 * the processing instance committed). The last rebuild is remembered per instance, in memory.
 */
@Component
class ProjectionAdmin {

    private static final Logger log = LoggerFactory.getLogger(ProjectionAdmin.class);

    private final EventProcessingConfiguration processing;
    private final EventStore eventStore;
    private final StoredTokens storedTokens;
    private final Clock clock;
    private final Map<String, ProjectionStatusView.Rebuild> rebuilds = new ConcurrentHashMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    ProjectionAdmin(EventProcessingConfiguration processing, EventStore eventStore, StoredTokens storedTokens) {
        this.processing = processing;
        this.eventStore = eventStore;
        this.storedTokens = storedTokens;
        this.clock = Clock.systemUTC();
    }

    /** Every projection, by name. Blocking (reads the store's head). */
    ProjectionStatusView.ProjectionList list() {
        long head = head();
        List<ProjectionStatusView> items = new ArrayList<>();
        for (Map.Entry<String, EventProcessor> entry : processing.eventProcessors().entrySet()) {
            if (entry.getValue() instanceof StreamingEventProcessor processor) {
                items.add(status(entry.getKey(), processor, head));
            }
        }
        items.sort(Comparator.comparing(ProjectionStatusView::name));
        return new ProjectionStatusView.ProjectionList(items, head);
    }

    /** One projection; 404 {@code projection_not_found} for a name that is none. Blocking. */
    ProjectionStatusView status(String name) {
        return status(name, processor(name), head());
    }

    /**
     * Resets the projection and starts its replay; answers its status right after the start. Blocking (waits for
     * the processor's threads to stop). 409 {@code rebuild_in_progress} while a rebuild of it is still replaying
     * (unless it is failing),
     * 409 {@code projection_not_resettable} when one of its handlers does not support a reset,
     * 409 {@code projection_claimed_elsewhere} when another instance holds one of its segments.
     */
    ProjectionStatusView rebuild(String name, CallerIdentity caller) {
        StreamingEventProcessor processor = processor(name);
        synchronized (locks.computeIfAbsent(name, n -> new Object())) {
            if (!processor.supportsReset()) {
                throw conflict("projection_not_resettable", "Projection " + name + " cannot be rebuilt.");
            }
            long head = head();
            ProjectionStatusView current = status(name, processor, head);
            if (current.replaying() && !current.error()) {
                // a replay stuck in error may be restarted
                throw conflict("rebuild_in_progress", "Projection " + name + " is being rebuilt; see its progress.");
            }
            log.info("Rebuild of projection {} requested by {} of organisation {} (head of the event store: {})",
                    name, caller.subject(), caller.orgId(), head);
            processor.shutDown();
            try {
                processor.resetTokens();
            } catch (UnableToClaimTokenException e) {
                processor.start();
                throw conflict("projection_claimed_elsewhere", "Another instance processes projection " + name
                        + "; stop it there or rebuild it there.");
            } catch (RuntimeException e) {
                processor.start(); // the projection keeps running as it was
                throw e;
            }
            rebuilds.put(name, new ProjectionStatusView.Rebuild(Instant.now(clock), caller.subject(), caller.orgId(),
                    head));
            processor.start();
            return status(name, processor, head);
        }
    }

    private StreamingEventProcessor processor(String name) {
        return processing.eventProcessor(name, StreamingEventProcessor.class)
                .orElseThrow(() -> ApiException.notFound("projection_not_found", "No projection " + name + "."));
    }

    private ProjectionStatusView status(String name, StreamingEventProcessor processor, long head) {
        Collection<EventTrackerStatus> local = processor.processingStatus().values();
        // no segment processed here: another instance processes them, as the token store shows
        List<SegmentProgress> progress = local.isEmpty() ? stored(name, head)
                : local.stream().map(ProjectionAdmin::progress).toList();
        List<ProjectionStatusView.Segment> segments = new ArrayList<>();
        Long position = null;
        boolean unknownPosition = false;
        Long replayEnd = null;
        boolean replaying = false;
        boolean caughtUp = true;
        boolean error = processor.isError();
        for (SegmentProgress segment : progress) {
            Long segmentPosition = segment.position();
            OptionalLong reset = segment.resetPosition();
            boolean segmentReplaying = segment.replayToken() && reset.isPresent()
                    && (segmentPosition == null || segmentPosition < reset.getAsLong());
            segments.add(new ProjectionStatusView.Segment(segment.segment(), segmentPosition, segmentReplaying,
                    segment.caughtUp(), segment.error()));
            // the projection has processed what every segment has processed
            if (segmentPosition == null) {
                unknownPosition = true;
            } else if (position == null || segmentPosition < position) {
                position = segmentPosition;
            }
            if (segmentReplaying) {
                replaying = true;
                replayEnd = replayEnd == null ? reset.getAsLong() : Math.max(replayEnd, reset.getAsLong());
            }
            caughtUp &= segment.caughtUp();
            error |= segment.error();
        }
        if (unknownPosition) {
            position = null;
        }
        segments.sort(Comparator.comparingInt(ProjectionStatusView.Segment::segment));
        ProjectionStatusView.Rebuild rebuild = rebuilds.get(name);
        if (segments.isEmpty()) {
            caughtUp = false;
            // just restarted by a rebuild: no segment claimed yet
            replaying = processor.isRunning() && rebuild != null && !processor.isError() && startedRecently(rebuild);
        }
        if (replaying && replayEnd == null) {
            replayEnd = rebuild != null ? rebuild.headAtRequest() : head;
        }
        double progressPercent = percent(position, replaying ? replayEnd : head);
        long lag = position == null ? Math.max(0, head) : Math.max(0, head - position);
        return new ProjectionStatusView(name, processor instanceof TrackingEventProcessor ? "tracking" : "pooled",
                processor.isRunning(), error, replaying, caughtUp, position, head, replaying ? replayEnd : null,
                progressPercent, lag, segments, rebuild);
    }

    /** One segment's progress, from this instance's processor or from the token store. */
    private record SegmentProgress(int segment, Long position, boolean replayToken, OptionalLong resetPosition,
                                   boolean caughtUp, boolean error) {
    }

    private static SegmentProgress progress(EventTrackerStatus status) {
        return new SegmentProgress(status.getSegment().getSegmentId(), position(status), status.isReplaying(),
                status.getResetPosition(), status.isCaughtUp(), status.isErrorState());
    }

    /**
     * The segments as their stored tokens show them (committed with the rows, so at most one batch behind the
     * processing instance); caught up when at the head; an error there is not visible from here.
     */
    private List<SegmentProgress> stored(String name, long head) {
        List<SegmentProgress> segments = new ArrayList<>();
        for (StoredTokens.Segment segment : storedTokens.of(name)) {
            TrackingToken lower = WrappedToken.unwrapLowerBound(segment.token());
            Long position = lower == null || lower.position().isEmpty() ? null : lower.position().getAsLong();
            OptionalLong reset = segment.token() instanceof ReplayToken replay && replay.getTokenAtReset() != null
                    ? replay.getTokenAtReset().position() : OptionalLong.empty();
            segments.add(new SegmentProgress(segment.segment(), position, segment.token() instanceof ReplayToken,
                    reset, position != null && position >= head, false));
        }
        return segments;
    }

    private boolean startedRecently(ProjectionStatusView.Rebuild rebuild) {
        return rebuild.requestedAt().isAfter(Instant.now(clock).minusSeconds(60));
    }

    /** The last position a segment has processed (during a replay: where the replay is). */
    private static Long position(EventTrackerStatus status) {
        OptionalLong current = status.getCurrentPosition();
        if (current.isPresent()) {
            return current.getAsLong();
        }
        TrackingToken lower = WrappedToken.unwrapLowerBound(status.getTrackingToken());
        return lower == null || lower.position().isEmpty() ? null : lower.position().getAsLong();
    }

    static double percent(Long position, long of) {
        if (of <= 0) {
            return 100.0;
        }
        if (position == null || position <= 0) {
            return 0.0;
        }
        return Math.min(100.0, Math.floor(position * 1000.0 / of) / 10.0);
    }

    private long head() {
        TrackingToken head = WrappedToken.unwrapLowerBound(eventStore.createHeadToken());
        return head == null ? 0 : head.position().orElse(0L);
    }

    private static ApiException conflict(String code, String detail) {
        return new ApiException(HttpStatus.CONFLICT, code, detail);
    }
}
