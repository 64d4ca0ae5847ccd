package io.phasegate.query.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.phasegate.events.task.PhaseTokenRefreshedEvent;
import io.phasegate.events.task.ReviewSubmittedEvent;
import io.phasegate.events.task.ReviewsRequestedEvent;
import io.phasegate.events.task.TaskCancelledEvent;
import io.phasegate.events.task.TaskClaimExpiredEvent;
import io.phasegate.events.task.TaskClaimedEvent;
import io.phasegate.events.task.TaskCompletedEvent;
import io.phasegate.events.task.TaskCreatedEvent;
import io.phasegate.events.task.TaskLeaseRenewedEvent;
import io.phasegate.events.task.TaskReleasedEvent;
import io.phasegate.events.task.TaskTransitionRejectedEvent;
import io.phasegate.events.task.TaskTransitionedEvent;
import io.phasegate.events.task.TransitionBlocker;
import io.phasegate.events.tool.ToolApprovalDeniedEvent;
import io.phasegate.events.tool.ToolApprovalGrantedEvent;
import io.phasegate.events.tool.ToolApprovalRequestedEvent;
import io.phasegate.events.tool.ToolCallDecidedEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pure fold that defines a task's main fields, event by event. */
class TaskFoldTest {

    static final Instant T0 = Instant.parse("2025-03-14T09:00:00Z");
    static final String TASK = "task-1";
    static final String ORG = "acme";

    static TaskCreatedEvent created() {
        return new TaskCreatedEvent(TASK, ORG, "proj", "Title", "Desc", "wf", 2, "PLAN", List.of("a", "b"),
                List.of("java"), 7, "alice", T0);
    }

    static TaskState createdState() {
        return TaskFold.apply(null, created(), 10);
    }

    @Test
    void aTaskIsCreatedOnceInItsInitialPhase() {
        TaskState state = createdState();
        assertThat(state).isEqualTo(new TaskState(TASK, ORG, "proj", "Title", "Desc", "wf", 2, List.of("a", "b"),
                List.of("java"), 7, "alice", T0, 10, "created", "PLAN", null, null, 0, null, null, null, T0, 10));
        // created again (redelivered, or a second creation event): nothing changes, even at a later position
        assertThat(TaskFold.apply(state, created(), 10)).isSameAs(state);
        assertThat(TaskFold.apply(state, created(), 99)).isSameAs(state);
    }

    @Test
    void eventsOfATaskThatDoesNotExistChangeNothing() {
        assertThat(TaskFold.apply(null, claimed(1, 11), 11)).isNull();
        assertThat(TaskFold.apply(null, new TaskCompletedEvent(TASK, ORG, "a", "wf", "DONE", T0), 12)).isNull();
    }

    @Test
    void aClaimARenewalAndTheEndOfAClaim() {
        TaskState claimed = TaskFold.apply(createdState(), claimed(3, 11), 11);
        assertThat(claimed.status()).isEqualTo("claimed");
        assertThat(claimed.phase()).isEqualTo("PLAN");
        assertThat(claimed.claimedBy()).isEqualTo("agent-1");
        assertThat(claimed.leaseExpiresAt()).isEqualTo(T0.plusSeconds(900));
        assertThat(claimed.tokenGeneration()).isEqualTo(3);
        assertThat(claimed.updatedAt()).isEqualTo(T0.plusSeconds(11));
        assertThat(claimed.position()).isEqualTo(11);

        TaskState renewed = TaskFold.apply(claimed, new TaskLeaseRenewedEvent(TASK, ORG, "agent-1",
                T0.plusSeconds(2000), T0.plusSeconds(12)), 12);
        assertThat(renewed.leaseExpiresAt()).isEqualTo(T0.plusSeconds(2000));
        assertThat(renewed.updatedAt()).isEqualTo(T0.plusSeconds(12));
        assertThat(renewed.claimedBy()).isEqualTo("agent-1");

        for (Object end : List.of(new TaskReleasedEvent(TASK, ORG, "agent-1", T0.plusSeconds(13)),
                new TaskClaimExpiredEvent(TASK, ORG, "agent-1", T0.plusSeconds(2000), T0.plusSeconds(13)))) {
            TaskState free = TaskFold.apply(renewed, end, 13);
            assertThat(free.status()).isEqualTo("created");
            assertThat(free.claimedBy()).isNull();
            assertThat(free.leaseExpiresAt()).isNull();
            assertThat(free.tokenGeneration()).as("the generation only ever grows").isEqualTo(3);
            assertThat(free.updatedAt()).isEqualTo(T0.plusSeconds(13));
            assertThat(free.position()).isEqualTo(13);
        }
    }

    @Test
    void rejectionsKeepTheirBlockersUntilATransitionSucceeds() {
        TaskState claimed = TaskFold.apply(createdState(), claimed(1, 11), 11);
        List<TransitionBlocker> blockers = List.of(new TransitionBlocker("invalid_artifact", "m", "plan", "/x"));
        TaskState rejected = TaskFold.apply(claimed, new TaskTransitionRejectedEvent(TASK, ORG, "agent-1", "wf", 2,
                "PLAN", "TDD", List.of("plan"), blockers, T0.plusSeconds(12)), 12);
        assertThat(rejected.blockers()).isEqualTo(blockers);
        assertThat(rejected.phase()).isEqualTo("PLAN");
        assertThat(rejected.tokenGeneration()).isEqualTo(1);
        assertThat(rejected.updatedAt()).isEqualTo(T0.plusSeconds(12));
        TaskState withoutBlockers = TaskFold.apply(claimed, new TaskTransitionRejectedEvent(TASK, ORG, "agent-1",
                "wf", 2, "PLAN", "TDD", List.of(), null, T0.plusSeconds(12)), 12);
        assertThat(withoutBlockers.blockers()).isEmpty();

        TaskState transitioned = TaskFold.apply(rejected, new TaskTransitionedEvent(TASK, ORG, "agent-1", "wf", 2,
                "PLAN", "TDD", Map.of(), List.of(), 2, "jti-2", T0.plusSeconds(7200), T0.plusSeconds(13)), 13);
        assertThat(transitioned.phase()).isEqualTo("TDD");
        assertThat(transitioned.tokenGeneration()).isEqualTo(2);
        assertThat(transitioned.blockers()).isNull();
        assertThat(transitioned.status()).isEqualTo("claimed");
        assertThat(transitioned.claimedBy()).isEqualTo("agent-1");
        assertThat(transitioned.updatedAt()).isEqualTo(T0.plusSeconds(13));
    }

    @Test
    void aTokenRefreshChangesTheGenerationButNotTheUpdateTime() {
        TaskState claimed = TaskFold.apply(createdState(), claimed(1, 11), 11);
        TaskState refreshed = TaskFold.apply(claimed, new PhaseTokenRefreshedEvent(TASK, ORG, "agent-1", "PLAN", 5,
                "jti-5", T0.plusSeconds(9000), T0.plusSeconds(50)), 12);
        assertThat(refreshed.tokenGeneration()).isEqualTo(5);
        assertThat(refreshed.updatedAt()).isEqualTo(claimed.updatedAt());
        assertThat(refreshed.position()).isEqualTo(12);
    }

    @Test
    void completionAndCancellationEndTheClaim() {
        TaskState claimed = TaskFold.apply(createdState(), claimed(4, 11), 11);
        TaskState completed = TaskFold.apply(claimed, new TaskCompletedEvent(TASK, ORG, "agent-1", "wf", "DONE",
                T0.plusSeconds(20)), 12);
        assertThat(completed.status()).isEqualTo("completed");
        assertThat(completed.phase()).isEqualTo("DONE");
        assertThat(completed.claimedBy()).isNull();
        assertThat(completed.leaseExpiresAt()).isNull();
        assertThat(completed.completedAt()).isEqualTo(T0.plusSeconds(20));
        assertThat(completed.cancelledAt()).isNull();
        assertThat(completed.tokenGeneration()).isEqualTo(4);

        TaskState cancelled = TaskFold.apply(claimed, new TaskCancelledEvent(TASK, ORG, "PLAN", "agent-1", "no",
                "alice", T0.plusSeconds(21)), 12);
        assertThat(cancelled.status()).isEqualTo("cancelled");
        assertThat(cancelled.phase()).isEqualTo("PLAN");
        assertThat(cancelled.claimedBy()).isNull();
        assertThat(cancelled.cancelledAt()).isEqualTo(T0.plusSeconds(21));
        assertThat(cancelled.updatedAt()).isEqualTo(T0.plusSeconds(21));
        assertThat(cancelled.completedAt()).isNull();
    }

    @Test
    void reviewsAndApprovalsOnlyMoveTheUpdateTimeAndThePosition() {
        TaskState claimed = TaskFold.apply(createdState(), claimed(1, 11), 11);
        List<Object> events = List.of(
                new ReviewsRequestedEvent(TASK, ORG, "PLAN", 1, 1, "reviewer", T0.plusSeconds(30)),
                new ReviewSubmittedEvent(TASK, ORG, "PLAN", 1, "r", "bob", "approve", null, T0.plusSeconds(30)),
                new ToolApprovalRequestedEvent(TASK, ORG, "agent-1", "PLAN", "ap", "c", "deploy", "d", Map.of(),
                        T0.plusSeconds(30)),
                new ToolApprovalGrantedEvent(TASK, ORG, "ap", "carol", null, T0.plusSeconds(30)),
                new ToolApprovalDeniedEvent(TASK, ORG, "ap", "carol", null, T0.plusSeconds(30)));
        for (Object event : events) {
            TaskState touched = TaskFold.apply(claimed, event, 20);
            assertThat(touched).as(event.getClass().getSimpleName()).isEqualTo(claimed.next(claimed.status(),
                    claimed.phase(), claimed.claimedBy(), claimed.leaseExpiresAt(), claimed.tokenGeneration(),
                    claimed.blockers(), null, null, T0.plusSeconds(30), 20));
        }
    }

    @Test
    void oldRedeliveredForeignAndUnrelatedEventsChangeNothing() {
        TaskState claimed = TaskFold.apply(createdState(), claimed(1, 11), 11);
        // at or below the state's position: already applied
        assertThat(TaskFold.apply(claimed, claimed(2, 12), 11)).isSameAs(claimed);
        assertThat(TaskFold.apply(claimed, claimed(2, 12), 5)).isSameAs(claimed);
        // another organisation's or another task's event
        assertThat(TaskFold.apply(claimed, new TaskReleasedEvent(TASK, "other", "agent-1", T0), 12)).isSameAs(claimed);
        assertThat(TaskFold.apply(claimed, new TaskReleasedEvent("task-2", ORG, "agent-1", T0), 12)).isSameAs(claimed);
        // events that are not the task row's
        assertThat(TaskFold.apply(claimed, new ToolCallDecidedEvent(TASK, ORG, "agent-1", "wf", 2, "PLAN", "c",
                "read_file", "d", Map.of(), "allowed", null, null, null, List.of(), T0), 12)).isSameAs(claimed);
        assertThat(TaskFold.apply(claimed, "not an event", 12)).isSameAs(claimed);
    }

    @Test
    void noEventAfterTheCreationChangesTheCreationFields() {
        TaskState state = createdState();
        List<Object> lifecycle = List.of(claimed(1, 11),
                new TaskTransitionRejectedEvent(TASK, ORG, "agent-1", "wf", 2, "PLAN", "TDD", List.of(), List.of(),
                        T0),
                new TaskTransitionedEvent(TASK, ORG, "agent-1", "wf", 9, "PLAN", "TDD", Map.of(), List.of(), 2, "j",
                        T0, T0),
                new PhaseTokenRefreshedEvent(TASK, ORG, "agent-1", "TDD", 3, "j", T0, T0),
                new TaskCompletedEvent(TASK, ORG, "agent-1", "wf-other", "DONE", T0));
        long position = 10;
        for (Object event : lifecycle) {
            TaskState next = TaskFold.apply(state, event, ++position);
            assertThat(next).isNotSameAs(state);
            assertThat(List.of(next.taskId(), next.orgId(), next.projectId(), next.title(), next.description(),
                    next.workflowId(), next.workflowVersion(), next.dependsOn(), next.requiredCapabilities(),
                    next.priority(), next.createdBy(), next.createdAt(), next.createdPosition()))
                    .isEqualTo(List.of(TASK, ORG, "proj", "Title", "Desc", "wf", 2, List.of("a", "b"), List.of("java"),
                            7, "alice", T0, 10L));
            state = next;
        }
        assertThat(TaskFold.EVENT_TYPES).contains(TaskCreatedEvent.class, TaskClaimedEvent.class)
                .doesNotContain(ToolCallDecidedEvent.class);
    }

    static TaskClaimedEvent claimed(long generation, long seconds) {
        return new TaskClaimedEvent(TASK, ORG, "agent-1", "PLAN", generation, "jti-" + generation,
                T0.plusSeconds(7200), T0.plusSeconds(900), T0.plusSeconds(seconds));
    }
}
