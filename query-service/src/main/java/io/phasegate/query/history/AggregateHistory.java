package io.phasegate.query.history;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.SimpleSerializedObject;
import org.axonframework.serialization.SimpleSerializedType;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;

/**
 * Folds one aggregate's stored events up to a past position or time, in global order, each with its exact global
 * position: the as-of reconstruction of tasks and resources, with the same fold their projections use. Reads the
 * event store (through {@link StoredEvents}: the JDBC event store's table, or Axon Server's aggregate read with each
 * needed event located in its global stream), not a projection, so it works for any point of the history without
 * catching up.
 *
 * <p>Events are deserialized with the service's event serializer (no upcasters are configured; a future upcaster
 * must be applied here as well). Events the fold does not take are not deserialized (nor, with Axon Server,
 * located). A time is compared with the events' stored timestamps, at the stores' millisecond precision.
 */
@Component
public class AggregateHistory {

    /** A fold step: the state after {@code event} at {@code position} ({@code state} itself when unchanged). */
    @FunctionalInterface
    public interface Fold<S> {
        S apply(S state, Object event, long position);
    }

    /** The folded state ({@code null} when no event applied) and how many events changed it. */
    public record Folded<S>(S state, int eventsApplied) {
    }

    private final StoredEvents store;
    private final Serializer serializer;

    AggregateHistory(StoredEvents store, @Qualifier("eventSerializer") Serializer serializer) {
        this.store = store;
        this.serializer = serializer;
    }

    public <S> Folded<S> fold(String aggregateId, Long asOfPosition, Instant asOfTime, Set<Class<?>> eventTypes,
                              Fold<S> fold) {
        List<S> state = new ArrayList<>(1);
        state.add(null);
        int[] applied = {0};
        store.readAggregate(aggregateId, asOfPosition, asOfTime,
                e -> eventTypes.contains(serializer.classForType(new SimpleSerializedType(e.payloadType(),
                        e.revision()))),
                e -> {
                    SimpleSerializedType type = new SimpleSerializedType(e.payloadType(), e.revision());
                    Object event = serializer.deserialize(new SimpleSerializedObject<>(e.payload(), byte[].class,
                            type));
                    S next = fold.apply(state.get(0), event, e.position());
                    if (next != state.get(0)) {
                        applied[0]++;
                        state.set(0, next);
                    }
                });
        return new Folded<>(state.get(0), applied[0]);
    }
}
