package io.phasegate.query.integration;

import io.phasegate.events.task.PhaseTokenRefreshedEvent;
import io.phasegate.events.task.ReviewSubmittedEvent;
import io.phasegate.events.task.ReviewsRequestedEvent;
import io.phasegate.events.task.TaskClaimedEvent;
import io.phasegate.events.task.TaskCompletedEvent;
import io.phasegate.events.task.TaskCreatedEvent;
import io.phasegate.events.task.TaskLeaseRenewedEvent;
import io.phasegate.events.task.TaskTransitionRejectedEvent;
import io.phasegate.events.task.TaskTransitionedEvent;
import io.phasegate.events.task.TransitionBlocker;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;

/**
 * Bulk event generation for the benchmarks: the life of a task in ten events (created, claimed, lease renewed,
 * transition rejected, transitioned, reviews requested, review submitted, token refreshed, transitioned, completed),
 * appended straight to the storage engine in batches of {@value #BATCH} events per transaction (the processors tail
 * the store and see them as they see command-service's events).
 */
final class BenchmarkEvents {

    static final int EVENTS_PER_TASK = 10;
    static final int BATCH = 1000;

    private BenchmarkEvents() {
    }

    /** Appends {@code tasks} task lifecycles; tasks alternate between the organisations given. */
    static void appendTaskLifecycles(EventStorageEngine storage, String prefix, int tasks, List<String> orgs) {
        List<EventMessage<?>> batch = new ArrayList<>(BATCH + EVENTS_PER_TASK);
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        for (int i = 0; i < tasks; i++) {
            String org = orgs.get(i % orgs.size());
            String task = prefix + "-" + i;
            List<Object> events = lifecycle(task, org, t0.plusMillis(i));
            for (int seq = 0; seq < events.size(); seq++) {
                batch.add(new GenericDomainEventMessage<>("Task", task, seq, events.get(seq)));
            }
            if (batch.size() >= BATCH) {
                storage.appendEvents(batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            storage.appendEvents(batch);
        }
    }

    static List<Object> lifecycle(String task, String org, Instant t) {
        String wf = "bench-wf";
        return List.of(
                new TaskCreatedEvent(task, org, "bench", "Task " + task, "A benchmark task", wf, 1, "PLAN",
                        List.of(), List.of("java"), 5, "alice", t),
                new TaskClaimedEvent(task, org, "agent-1", "PLAN", 1, "jti-1", t.plusSeconds(7200),
                        t.plusSeconds(900), t.plusSeconds(1)),
                new TaskLeaseRenewedEvent(task, org, "agent-1", t.plusSeconds(1200), t.plusSeconds(2)),
                new TaskTransitionRejectedEvent(task, org, "agent-1", wf, 1, "PLAN", "TDD", List.of("plan"),
                        List.of(TransitionBlocker.of("plan_has_acceptance_criteria", "No criteria.")),
                        t.plusSeconds(3)),
                new TaskTransitionedEvent(task, org, "agent-1", wf, 1, "PLAN", "REVIEW",
                        Map.of("plan", Map.of("summary", "s", "acceptance_criteria", List.of("a"))), List.of(), 2,
                        "jti-2", t.plusSeconds(7200), t.plusSeconds(4)),
                new ReviewsRequestedEvent(task, org, "REVIEW", 1, 1, "reviewer", t.plusSeconds(5)),
                new ReviewSubmittedEvent(task, org, "REVIEW", 1, "rev-" + task, "bob", "approve", "ok",
                        t.plusSeconds(6)),
                new PhaseTokenRefreshedEvent(task, org, "agent-1", "REVIEW", 3, "jti-3", t.plusSeconds(9000),
                        t.plusSeconds(7)),
                new TaskTransitionedEvent(task, org, "agent-1", wf, 1, "REVIEW", "COMPLETE", Map.of(), List.of(), 4,
                        "jti-4", t.plusSeconds(9000), t.plusSeconds(8)),
                new TaskCompletedEvent(task, org, "agent-1", wf, "COMPLETE", t.plusSeconds(9)));
    }
}
