package io.phasegate.events.contract;

import io.phasegate.events.task.TaskClaimExpiredEvent;
import io.phasegate.events.task.TaskClaimedEvent;
import io.phasegate.events.task.TaskCreatedEvent;
import io.phasegate.events.task.TaskLeaseRenewedEvent;
import io.phasegate.events.task.TaskReleasedEvent;
import io.phasegate.events.workflow.PhaseDefinition;
import io.phasegate.events.workflow.PhaseDefinition.OnEnter;
import io.phasegate.events.workflow.PhaseDefinition.RequestReviews;
import io.phasegate.events.workflow.PhaseDefinition.ToolPolicy;
import io.phasegate.events.workflow.TransitionDefinition;
import io.phasegate.events.workflow.WorkflowDefinition;
import io.phasegate.events.workflow.WorkflowDefinition.Enforcement;
import io.phasegate.events.workflow.WorkflowPublishedEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One fully populated sample per event (every field set, no nulls, non-empty collections), pinned by the
 * snapshots in {@code src/test/resources/contracts}. A new event needs an entry here.
 */
final class EventSamples {

    private EventSamples() {
    }

    static final Map<Class<?>, Object> SAMPLES = Map.of(
            TaskCreatedEvent.class, taskCreated(),
            TaskClaimedEvent.class, taskClaimed(),
            TaskLeaseRenewedEvent.class, taskLeaseRenewed(),
            TaskReleasedEvent.class, taskReleased(),
            TaskClaimExpiredEvent.class, taskClaimExpired(),
            WorkflowPublishedEvent.class, workflowPublished());

    static TaskCreatedEvent taskCreated() {
        return new TaskCreatedEvent(
                "task-7f3c",
                "org-acme",
                "project-billing",
                "Add invoice export",
                "Export invoices as CSV with totals per customer.",
                "tdd-default",
                3,
                "PLAN",
                List.of("task-1a2b", "task-9e8d"),
                List.of("java", "postgres"),
                5,
                "user-ada",
                Instant.parse("2025-03-14T09:26:53.589Z"));
    }

    static TaskClaimedEvent taskClaimed() {
        return new TaskClaimedEvent(
                "task-7f3c",
                "org-acme",
                "agent-coder-1",
                "PLAN",
                4,
                "jti-5b1e9c2d",
                Instant.parse("2025-03-14T11:26:53.589Z"),
                Instant.parse("2025-03-14T09:41:53.589Z"),
                Instant.parse("2025-03-14T09:26:53.589Z"));
    }

    static TaskLeaseRenewedEvent taskLeaseRenewed() {
        return new TaskLeaseRenewedEvent(
                "task-7f3c",
                "org-acme",
                "agent-coder-1",
                Instant.parse("2025-03-14T09:51:53.589Z"),
                Instant.parse("2025-03-14T09:36:53.589Z"));
    }

    static TaskReleasedEvent taskReleased() {
        return new TaskReleasedEvent(
                "task-7f3c",
                "org-acme",
                "agent-coder-1",
                Instant.parse("2025-03-14T09:45:12.034Z"));
    }

    static TaskClaimExpiredEvent taskClaimExpired() {
        return new TaskClaimExpiredEvent(
                "task-7f3c",
                "org-acme",
                "agent-coder-1",
                Instant.parse("2025-03-14T09:51:53.589Z"),
                Instant.parse("2025-03-14T09:52:00.120Z"));
    }

    static WorkflowPublishedEvent workflowPublished() {
        WorkflowDefinition definition = new WorkflowDefinition(
                "tdd-default",
                3,
                Enforcement.STRICT,
                7200,
                900,
                List.of(
                        new PhaseDefinition("TDD", false,
                                new ToolPolicy(List.of("read_file", "write_file"),
                                        Map.of("write_file", Map.of("path", List.of("tests/**", "**/*Test.java"))),
                                        List.of("deploy_preview")),
                                new OnEnter(new RequestReviews(1, "reviewer"))),
                        new PhaseDefinition("COMPLETE", true,
                                new ToolPolicy(List.of("read_file"), Map.of("read_file", Map.of("path", List.of("**"))),
                                        List.of("publish")),
                                new OnEnter(new RequestReviews(2, "auditor")))),
                List.of(new TransitionDefinition("TDD", "COMPLETE", List.of("tests", "review"),
                        List.of("all_tests_pass", "tests_are_reviewed"))),
                Map.of("review", Map.of(
                        "type", "object",
                        "required", List.of("verdict"),
                        "minProperties", 1,
                        "properties", Map.of("verdict", Map.of("type", "string")))),
                Map.of("tests_are_reviewed", "review.verdict == 'approved'"));
        return new WorkflowPublishedEvent(
                "org-acme/tdd-default",
                "org-acme",
                "tdd-default",
                3,
                definition,
                "workflow: tdd-default\nversion: 3\n",
                "user-ada",
                Instant.parse("2025-03-14T09:26:53.589Z"));
    }
}
