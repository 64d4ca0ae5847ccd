package io.phasegate.platform.axon;

import java.util.OptionalLong;
import org.axonframework.eventhandling.GapAwareTrackingToken;
import org.axonframework.eventhandling.GlobalSequenceTrackingToken;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventhandling.WrappedToken;

/**
 * The global position Phasegate answers for a tracking token (command {@code position}, {@code min_position}, audit
 * record positions, SSE ids): <b>1 for the first event of the store, in every storage mode</b>, so that 0 (and
 * anything below the first position) means "before every event".
 *
 * <ul>
 *   <li>JDBC event store ({@link GapAwareTrackingToken}): the {@code global_index}, which starts at 1.</li>
 *   <li>Axon Server ({@link GlobalSequenceTrackingToken}; also Axon's in-memory store): Axon Server numbers its
 *   events from 0, so the position is the token's index + 1. Without the shift the store's first event had position
 *   0, and a client that resumed an SSE stream "from the start" with {@code Last-Event-ID: 0} could never receive it
 *   (found by {@code AxonServerStreamsIT}, docs/adr/0013-axon-server-mode.md).</li>
 * </ul>
 * Only positions are shifted; the tokens Axon stores and streams with are unchanged.
 */
public final class EventStorePositions {

    private EventStorePositions() {
    }

    /** The position of the event {@code token} points at ({@link WrappedToken}s: their lower bound); empty if none. */
    public static OptionalLong position(TrackingToken token) {
        TrackingToken lower = WrappedToken.unwrapLowerBound(token);
        if (lower == null) {
            return OptionalLong.empty();
        }
        if (lower instanceof GlobalSequenceTrackingToken global) {
            return OptionalLong.of(global.getGlobalIndex() + 1);
        }
        return lower.position();
    }

    /**
     * Whether a processor at {@code token} has processed the event at {@code position}: at or beyond it, and (JDBC
     * store) not still waiting for it as a gap.
     */
    public static boolean covers(TrackingToken token, long position) {
        TrackingToken lower = WrappedToken.unwrapLowerBound(token);
        if (lower == null) {
            return false;
        }
        if (lower instanceof GapAwareTrackingToken gapAware) {
            return gapAware.getIndex() >= position && !gapAware.getGaps().contains(position);
        }
        return position(lower).orElse(-1L) >= position;
    }
}
