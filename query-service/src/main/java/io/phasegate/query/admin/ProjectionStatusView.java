package io.phasegate.query.admin;

import java.time.Instant;
import java.util.List;

/**
 * A projection (a streaming event processor of query-service) and its progress through the event store.
 *
 * @param name              the processor's name (its processing group): {@code tasks}, {@code workflows}, ...
 * @param type              {@code tracking} or {@code pooled}
 * @param running           whether the processor runs on this instance
 * @param error             whether a segment is in error (retrying)
 * @param replaying         whether it is rebuilding: it has not yet reached the position it had when reset
 * @param caughtUp          whether every segment has processed all events available
 * @param position          the last global position every segment has processed (null before the first)
 * @param head              the head of the event store (its highest global position)
 * @param replayEndPosition while replaying, the position where the rebuild ends (the processor's position when it
 *                          was reset); otherwise null
 * @param progressPercent   while replaying, {@code position} of {@code replay_end_position}; otherwise
 *                          {@code position} of {@code head}; 0–100, one decimal
 * @param lag               {@code head - position} (events not yet processed; gaps count)
 * @param segments          the segments this instance processes; when it processes none (another instance does),
 *                          every segment as its stored token shows it (then {@code error} is not known: false)
 * @param lastRebuild       the last rebuild requested on this instance since it started, or null
 */
public record ProjectionStatusView(String name, String type, boolean running, boolean error, boolean replaying,
                                   boolean caughtUp, Long position, long head, Long replayEndPosition,
                                   double progressPercent, long lag, List<Segment> segments, Rebuild lastRebuild) {

    public ProjectionStatusView {
        segments = List.copyOf(segments);
    }

    /** One segment of the processor, as this instance (or, for segments processed elsewhere, the token store) sees it. */
    public record Segment(int segment, Long position, boolean replaying, boolean caughtUp, boolean error) {
    }

    /** Who asked for the last rebuild, when, and where the store's head was then. */
    public record Rebuild(Instant requestedAt, String requestedBy, String requestedByOrg, long headAtRequest) {
    }

    /** {@code GET /api/v1/admin/projections}. */
    public record ProjectionList(List<ProjectionStatusView> items, long head) {

        public ProjectionList {
            items = List.copyOf(items);
        }
    }
}
