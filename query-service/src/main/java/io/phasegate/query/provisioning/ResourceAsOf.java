package io.phasegate.query.provisioning;

import io.phasegate.events.resource.FindResourceAsOfQuery;
import io.phasegate.events.resource.ResourceAsOfView;
import io.phasegate.query.history.AggregateHistory;
import java.util.Optional;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.stereotype.Component;

/**
 * Reconstructs a resource as it was at a past position or time: the resource aggregate's stored events up to that
 * point, in global order, folded with {@link ResourceFold} — the function {@link ResourceProjection} computes its
 * rows with — each with its exact global position. Reads the event store, not the projection, so it works for any
 * point of the history without catching up. As the task as-of: events are deserialized with the service's event
 * serializer (no upcasters); a time is compared with the events' stored timestamps.
 */
@Component
public class ResourceAsOf {

    private final AggregateHistory history;

    ResourceAsOf(AggregateHistory history) {
        this.history = history;
    }

    @QueryHandler
    public Optional<ResourceAsOfView> handle(FindResourceAsOfQuery query) {
        AggregateHistory.Folded<ResourceState> folded = history.fold(query.resourceId(), query.asOfPosition(),
                query.asOfTime(), ResourceFold.EVENT_TYPES, ResourceFold::apply);
        ResourceState s = folded.state();
        if (s == null || !s.orgId().equals(query.orgId()) || !s.resourceId().equals(query.resourceId())) {
            return Optional.empty();
        }
        return Optional.of(new ResourceAsOfView(ResourceRows.view(s), ResourceRows.operationView(s),
                query.asOfPosition(), query.asOfTime(), folded.eventsApplied()));
    }
}
