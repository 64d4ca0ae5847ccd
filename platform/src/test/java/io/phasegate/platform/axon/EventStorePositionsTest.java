package io.phasegate.platform.axon;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.OptionalLong;
import org.axonframework.eventhandling.GapAwareTrackingToken;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventhandling.GlobalSequenceTrackingToken;
import org.axonframework.eventhandling.ReplayToken;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.inmemory.InMemoryEventStorageEngine;
import org.axonframework.common.stream.BlockingStream;
import org.junit.jupiter.api.Test;

class EventStorePositionsTest {

    @Test
    void axonServerTokensAreNumberedFromOneLikeTheJdbcGlobalIndex() {
        // Axon Server's first event has token index 0; Phasegate answers position 1 for it
        assertThat(EventStorePositions.position(new GlobalSequenceTrackingToken(0))).isEqualTo(OptionalLong.of(1));
        assertThat(EventStorePositions.position(new GlobalSequenceTrackingToken(41))).isEqualTo(OptionalLong.of(42));
        // an empty Axon Server's head (last token -1): position 0, before every event
        assertThat(EventStorePositions.position(new GlobalSequenceTrackingToken(-1))).isEqualTo(OptionalLong.of(0));
        // the JDBC store's global_index already starts at 1 and is answered as is
        assertThat(EventStorePositions.position(GapAwareTrackingToken.newInstance(7, List.of(5L))))
                .isEqualTo(OptionalLong.of(7));
        assertThat(EventStorePositions.position(null)).isEmpty();
    }

    @Test
    void aReplayTokenAnswersThePositionOfItsCurrentToken() {
        ReplayToken replay = (ReplayToken) ReplayToken.createReplayToken(new GlobalSequenceTrackingToken(9),
                new GlobalSequenceTrackingToken(3));
        assertThat(EventStorePositions.position(replay)).isEqualTo(OptionalLong.of(4));
    }

    @Test
    void coversComparesInPhasegatePositions() {
        GlobalSequenceTrackingToken afterFirstEvent = new GlobalSequenceTrackingToken(0);
        assertThat(EventStorePositions.covers(afterFirstEvent, 1)).isTrue();
        assertThat(EventStorePositions.covers(afterFirstEvent, 2)).isFalse();
        assertThat(EventStorePositions.covers(null, 1)).isFalse();
        GapAwareTrackingToken withGap = GapAwareTrackingToken.newInstance(10, List.of(8L));
        assertThat(EventStorePositions.covers(withGap, 10)).isTrue();
        assertThat(EventStorePositions.covers(withGap, 8)).as("still a gap").isFalse();
        assertThat(EventStorePositions.covers(withGap, 11)).isFalse();
    }

    /** A store numbered from 0 (Axon's in-memory store, as Axon Server): its first event is at position 1. */
    @Test
    void theFirstEventOfAZeroBasedStoreIsAtPositionOne() throws Exception {
        EmbeddedEventStore store = EmbeddedEventStore.builder().storageEngine(new InMemoryEventStorageEngine()).build();
        try {
            store.publish(GenericEventMessage.asEventMessage("first"), GenericEventMessage.asEventMessage("second"));
            try (BlockingStream<TrackedEventMessage<?>> stream = store.openStream(null)) {
                TrackedEventMessage<?> first = stream.nextAvailable();
                TrackedEventMessage<?> second = stream.nextAvailable();
                assertThat(EventStorePositions.position(first.trackingToken())).isEqualTo(OptionalLong.of(1));
                assertThat(EventStorePositions.position(second.trackingToken())).isEqualTo(OptionalLong.of(2));
                assertThat(EventStorePositions.position(store.createHeadToken())).isEqualTo(OptionalLong.of(2));
                // a processor that handled the first event covers position 1 but not 2
                assertThat(EventStorePositions.covers(first.trackingToken(), 1)).isTrue();
                assertThat(EventStorePositions.covers(first.trackingToken(), 2)).isFalse();
            }
        } finally {
            store.shutDown();
        }
    }
}
