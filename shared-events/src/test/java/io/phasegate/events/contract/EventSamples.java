package io.phasegate.events.contract;

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
import io.phasegate.events.tool.ToolCallOutcomeReportedEvent;
import io.phasegate.events.workflow.PhaseDefinition.OnEnter;
import io.phasegate.events.workflow.PhaseDefinition.RequestReviews;
import io.phasegate.events.workflow.PhaseDefinition.ToolPolicy;
import io.phasegate.events.workflow.PhaseDefinition;
import io.phasegate.events.workflow.TransitionDefinition;
import io.phasegate.events.workflow.WorkflowDefinition.Enforcement;
import io.phasegate.events.workflow.WorkflowDefinition;
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

    private static final Instant AT = Instant.parse("2025-03-14T10:02:41.250Z");

    static final Map<Class<?>, Object> SAMPLES = withProvisioning(Map.ofEntries(
            Map.entry(TaskCreatedEvent.class, taskCreated()),
            Map.entry(TaskClaimedEvent.class, taskClaimed()),
            Map.entry(TaskLeaseRenewedEvent.class, taskLeaseRenewed()),
            Map.entry(TaskReleasedEvent.class, taskReleased()),
            Map.entry(TaskClaimExpiredEvent.class, taskClaimExpired()),
            Map.entry(WorkflowPublishedEvent.class, workflowPublished()),
            Map.entry(TaskTransitionedEvent.class, taskTransitioned()),
            Map.entry(TaskTransitionRejectedEvent.class, taskTransitionRejected()),
            Map.entry(TaskCompletedEvent.class, taskCompleted()),
            Map.entry(TaskCancelledEvent.class, taskCancelled()),
            Map.entry(PhaseTokenRefreshedEvent.class, phaseTokenRefreshed()),
            Map.entry(ReviewsRequestedEvent.class, reviewsRequested()),
            Map.entry(ReviewSubmittedEvent.class, reviewSubmitted()),
            Map.entry(ToolCallDecidedEvent.class, toolCallDecided()),
            Map.entry(ToolApprovalRequestedEvent.class, toolApprovalRequested()),
            Map.entry(ToolApprovalGrantedEvent.class, toolApprovalGranted()),
            Map.entry(ToolApprovalDeniedEvent.class, toolApprovalDenied()),
            Map.entry(ToolCallOutcomeReportedEvent.class, toolCallOutcomeReported())));

    private static Map<Class<?>, Object> withProvisioning(Map<Class<?>, Object> agentWorkflow) {
        java.util.HashMap<Class<?>, Object> all = new java.util.HashMap<>(agentWorkflow);
        all.putAll(ProvisioningEventSamples.SAMPLES);
        return Map.copyOf(all);
    }

    static TaskTransitionedEvent taskTransitioned() {
        return new TaskTransitionedEvent("task-7f3c", "org-acme", "agent-coder-1", "tdd-default", 3, "TDD", "IMPL",
                Map.of("tests", Map.of("files", List.of("tests/invoice_test.py")),
                        "test_result", Map.of("passed", 0, "failed", 3)),
                List.of(new TransitionBlocker("invalid_artifact", "failed must be an integer", "test_result", "/failed")),
                6, "jti-77aa01", Instant.parse("2025-03-14T12:02:41Z"), AT);
    }

    static TaskTransitionRejectedEvent taskTransitionRejected() {
        return new TaskTransitionRejectedEvent("task-7f3c", "org-acme", "agent-coder-1", "tdd-default", 3, "TDD",
                "IMPL", List.of("tests"),
                List.of(new TransitionBlocker("missing_artifact", "artifact 'test_result' is required", "test_result", "")),
                AT);
    }

    static TaskCompletedEvent taskCompleted() {
        return new TaskCompletedEvent("task-7f3c", "org-acme", "agent-coder-1", "tdd-default", "COMPLETE", AT);
    }

    static TaskCancelledEvent taskCancelled() {
        return new TaskCancelledEvent("task-7f3c", "org-acme", "IMPL", "agent-coder-1", "superseded by task-9e8d",
                "user-ada", AT);
    }

    static PhaseTokenRefreshedEvent phaseTokenRefreshed() {
        return new PhaseTokenRefreshedEvent("task-7f3c", "org-acme", "agent-coder-1", "IMPL", 7, "jti-88bb02",
                Instant.parse("2025-03-14T12:10:00Z"), AT);
    }

    static ReviewsRequestedEvent reviewsRequested() {
        return new ReviewsRequestedEvent("task-7f3c", "org-acme", "REVIEW", 2, 1, "reviewer", AT);
    }

    static ReviewSubmittedEvent reviewSubmitted() {
        return new ReviewSubmittedEvent("task-7f3c", "org-acme", "REVIEW", 2, "review-31c0", "user-grace",
                "changes_requested", "Handle empty invoices.", AT);
    }

    static ToolCallDecidedEvent toolCallDecided() {
        return new ToolCallDecidedEvent("task-7f3c", "org-acme", "agent-coder-1", "tdd-default", 3, "TDD",
                "call-5e6f", "write_file", "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                Map.of("path", "src/main/Invoice.java", "content", "[redacted]"), "denied", "constraint_violated",
                "argument 'path' of write_file must match tests/**", "approval-0a1b",
                List.of("write_file outside tests/** allowed by permissive enforcement"), AT);
    }

    static ToolApprovalRequestedEvent toolApprovalRequested() {
        return new ToolApprovalRequestedEvent("task-7f3c", "org-acme", "agent-coder-1", "REVIEW", "approval-0a1b",
                "call-5e6f", "deploy_preview", "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
                Map.of("environment", "preview"), AT);
    }

    static ToolApprovalGrantedEvent toolApprovalGranted() {
        return new ToolApprovalGrantedEvent("task-7f3c", "org-acme", "approval-0a1b", "user-ada", "go ahead", AT);
    }

    static ToolApprovalDeniedEvent toolApprovalDenied() {
        return new ToolApprovalDeniedEvent("task-7f3c", "org-acme", "approval-0a1b", "user-ada", "not today", AT);
    }

    static ToolCallOutcomeReportedEvent toolCallOutcomeReported() {
        return new ToolCallOutcomeReportedEvent("task-7f3c", "org-acme", "agent-coder-1", "call-5e6f", "run_tests",
                "agent", "failed", "3 tests failed", AT);
    }

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
