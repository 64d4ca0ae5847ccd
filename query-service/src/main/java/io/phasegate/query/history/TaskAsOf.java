package io.phasegate.query.history;

import io.phasegate.events.history.FindTaskAsOfQuery;
import io.phasegate.events.history.TaskAsOfView;
import io.phasegate.query.task.TaskFold;
import io.phasegate.query.task.TaskState;
import java.util.Optional;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.stereotype.Component;

/**
 * Reconstructs a task as it was at a past position or time: the task aggregate's stored events up to that point,
 * in global order, folded with {@link TaskFold} — the very function the task projection computes its rows with —
 * each with its exact global position. Reads the event store, not the projection, so it needs no catching up and
 * works for any point of the history.
 *
 * <p>Events are deserialized with the service's event serializer (no upcasters are configured; a future upcaster
 * must be applied here as well). Events that cannot change a task are not deserialized. A time is compared with the
 * events' stored timestamps, at the store's millisecond precision.
 */
@Component
class TaskAsOf {

    private final AggregateHistory history;

    TaskAsOf(AggregateHistory history) {
        this.history = history;
    }

    @QueryHandler
    public Optional<TaskAsOfView> handle(FindTaskAsOfQuery query) {
        AggregateHistory.Folded<TaskState> folded = history.fold(query.taskId(), query.asOfPosition(),
                query.asOfTime(), TaskFold.EVENT_TYPES, TaskFold::apply);
        TaskState s = folded.state();
        if (s == null || !s.orgId().equals(query.orgId()) || !s.taskId().equals(query.taskId())) {
            return Optional.empty();
        }
        return Optional.of(new TaskAsOfView(s.taskId(), s.orgId(), s.projectId(), s.title(), s.description(),
                s.status(), s.phase(), s.claimedBy(), s.leaseExpiresAt(), s.tokenGeneration(), s.workflowId(),
                s.workflowVersion(), s.dependsOn(), s.requiredCapabilities(), s.priority(), s.createdBy(),
                s.createdAt(), s.updatedAt(), s.blockers(), s.completedAt(), s.cancelledAt(), s.createdPosition(),
                s.position(), query.asOfPosition(), query.asOfTime(), folded.eventsApplied()));
    }
}
