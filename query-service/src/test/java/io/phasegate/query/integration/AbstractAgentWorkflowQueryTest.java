package io.phasegate.query.integration;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.Base64URL;
import io.phasegate.events.task.FindTaskQuery;
import io.phasegate.events.task.PhaseTokenRefreshedEvent;
import io.phasegate.events.task.ReviewSubmittedEvent;
import io.phasegate.events.task.ReviewsRequestedEvent;
import io.phasegate.events.task.TaskCancelledEvent;
import io.phasegate.events.task.TaskClaimedEvent;
import io.phasegate.events.task.TaskCompletedEvent;
import io.phasegate.events.task.TaskCreatedEvent;
import io.phasegate.events.task.TaskDependencyView;
import io.phasegate.events.task.TaskReleasedEvent;
import io.phasegate.events.task.TaskTransitionRejectedEvent;
import io.phasegate.events.task.TaskTransitionedEvent;
import io.phasegate.events.task.TaskView;
import io.phasegate.events.task.TransitionBlocker;
import io.phasegate.events.tool.ToolApprovalDeniedEvent;
import io.phasegate.events.tool.ToolApprovalGrantedEvent;
import io.phasegate.events.tool.ToolApprovalRequestedEvent;
import io.phasegate.events.tool.ToolCallDecidedEvent;
import io.phasegate.events.tool.ToolCallOutcomeReportedEvent;
import io.phasegate.events.workflow.PhaseDefinition;
import io.phasegate.events.workflow.TransitionDefinition;
import io.phasegate.events.workflow.WorkflowDefinition;
import io.phasegate.events.workflow.WorkflowKeys;
import io.phasegate.events.workflow.WorkflowPublishedEvent;
import io.phasegate.platform.identity.CallerIdentity;
import io.phasegate.platform.identity.InternalTokenIssuer;
import io.phasegate.platform.identity.InternalTokens;
import io.phasegate.platform.identity.JwkFiles;
import io.phasegate.platform.identity.testing.TestIdentities;
import io.phasegate.platform.phasetoken.PhaseTokens;
import io.phasegate.query.metrics.WorkflowMetricsProjection;
import io.phasegate.query.task.TaskProjection;
import io.phasegate.query.token.TestPhaseTokens;
import io.phasegate.query.tool.ToolCallProjection;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.axonframework.eventhandling.AbstractEventProcessor;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.GapAwareTrackingToken;
import org.axonframework.eventhandling.GenericTrackedDomainEventMessage;
import org.axonframework.eventhandling.Segment;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.messaging.ResultMessage;
import org.axonframework.messaging.unitofwork.BatchingUnitOfWork;
import org.axonframework.eventhandling.EventHandlerInvoker;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.axonframework.queryhandling.SubscriptionQueryResult;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/**
 * The agent workflow read models against real storage: every task event's effect on the task snapshot, the
 * tool-call log, the workflow metrics, the claimable-task list and the agent state snapshot with its phase-token
 * checks; redelivery and reset of every projection. Events go through the real event store and processors.
 */
abstract class AbstractAgentWorkflowQueryTest extends QueryStorageTestSupport {

    static final Set<String> SNAPSHOT_FIELDS = Set.of("task", "task_dependencies", "completed_tasks", "blockers");
    static final Set<String> TOOL_CALL_FIELDS = Set.of("call_id", "task_id", "org_id", "agent_id", "workflow_id",
            "workflow_version", "phase", "tool_name", "args_digest", "args_summary", "decision", "code", "reason",
            "approval_id", "warnings", "outcome", "decided_at", "position");
    static final Set<String> METRICS_FIELDS = Set.of("org_id", "workflow_id", "transitions_attempted",
            "transitions_rejected", "gate_block_rate", "gate_blocks", "tool_calls", "tool_calls_denied",
            "tool_calls_warned", "tool_violations", "tool_violation_rate", "approvals_requested", "position");
    static final Set<String> APPROVAL_FIELDS = Set.of("approval_id", "task_id", "call_id", "agent_id", "phase",
            "tool_name", "args_digest", "args_summary", "status", "requested_at", "decided_by", "comment",
            "decided_at");
    /** Every table of the agent workflow read models, by processing group. */
    static final Map<String, List<String>> TABLES = Map.of(
            TaskProjection.GROUP, List.of("tasks", "task_dependencies", "task_capabilities", "task_review_rounds",
                    "task_reviews", "tool_approvals"),
            ToolCallProjection.GROUP, List.of("tool_calls"),
            WorkflowMetricsProjection.GROUP, List.of("workflow_metrics", "workflow_gate_blocks",
                    "workflow_metrics_tasks", "workflow_metrics_counted"));

    @Autowired
    QueryGateway queryGateway;

    private final Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    // ------------------------------------------------------------------------------------------------------------

    @Test
    void everyTaskEventShowsInTheTaskSnapshot() {
        String wf = "wf-" + suffix();
        publish("acme", wf, 1);
        String project = "snap-" + suffix();
        String dep = project + "-dep";
        String ghost = project + "-ghost";
        String task = project + "-task";
        emit(dep, created(dep, "acme", project, wf, List.of(), List.of(), 0));
        long created = emit(task, created(task, "acme", project, wf, List.of(dep, ghost), List.of("java"), 4));

        JsonNode view = task(task, created);
        assertThat(fieldNames(view)).isEqualTo(TASK_FIELDS).doesNotContain("token_generation");
        assertThat(view.path("status").asString()).isEqualTo("created");
        assertThat(view.path("blockers").isArray()).isTrue();
        assertThat(view.path("blockers").size()).isZero();
        assertThat(view.path("reviews").isNull()).isTrue();
        assertThat(view.path("pending_approvals").size()).isZero();
        assertThat(view.path("completed_at").isNull()).isTrue();
        assertThat(view.path("cancelled_at").isNull()).isTrue();
        assertThat(dependencies(view)).containsExactly(dep + "|Task " + dep + "|created", ghost + "|null|unknown");
        assertThat(fieldNames(view.path("dependencies").get(0))).isEqualTo(Set.of("task_id", "title", "status"));
        assertThat(tools(view)).containsExactly("read_file|false", "search_code|false");
        assertThat(fieldNames(view.path("allowed_tools").get(0)))
                .isEqualTo(Set.of("name", "approval_required", "constraints"));

        emit(task, new TaskClaimedEvent(task, "acme", "agent-1", "PLAN", 1, "jti-1", t0.plusSeconds(7200),
                t0.plusSeconds(900), t0.plusSeconds(1)));
        long rejected = emit(task, new TaskTransitionRejectedEvent(task, "acme", "agent-1", wf, 1, "PLAN", "REVIEW",
                List.of("plan"), List.of(new TransitionBlocker("invalid_artifact", "plan.summary is required", "plan",
                        "/summary"), TransitionBlocker.of("plan_has_acceptance_criteria", "No criteria.")),
                t0.plusSeconds(2)));
        view = task(task, rejected);
        assertThat(view.path("status").asString()).isEqualTo("claimed");
        assertThat(view.path("phase").asString()).isEqualTo("PLAN");
        assertThat(view.path("claimed_by").asString()).isEqualTo("agent-1");
        assertThat(view.path("blockers").size()).isEqualTo(2);
        JsonNode blocker = view.path("blockers").get(0);
        assertThat(fieldNames(blocker)).isEqualTo(Set.of("code", "message", "artifact", "path"));
        assertThat(blocker.path("code").asString()).isEqualTo("invalid_artifact");
        assertThat(blocker.path("message").asString()).isEqualTo("plan.summary is required");
        assertThat(blocker.path("artifact").asString()).isEqualTo("plan");
        assertThat(blocker.path("path").asString()).isEqualTo("/summary");
        assertThat(view.path("blockers").get(1).path("code").asString()).isEqualTo("plan_has_acceptance_criteria");
        assertThat(view.path("blockers").get(1).path("artifact").isNull()).isTrue();
        assertThat(Instant.parse(view.path("updated_at").asString())).isEqualTo(t0.plusSeconds(2));
        assertThat(generation(task)).isEqualTo(1);

        long transitioned = emit(task, new TaskTransitionedEvent(task, "acme", "agent-1", wf, 1, "PLAN", "REVIEW",
                Map.of("plan", Map.of("summary", "s")), List.of(), 2, "jti-2", t0.plusSeconds(7200),
                t0.plusSeconds(3)));
        view = task(task, transitioned);
        assertThat(view.path("phase").asString()).isEqualTo("REVIEW");
        assertThat(view.path("blockers").size()).isZero();
        assertThat(tools(view)).containsExactly("read_file|false", "write_file|false", "deploy_preview|true");
        assertThat(strings(view.path("allowed_tools").get(1).path("constraints").path("path")))
                .containsExactly("docs/**");
        assertThat(generation(task)).isEqualTo(2);

        long requested = emit(task, new ReviewsRequestedEvent(task, "acme", "REVIEW", 1, 2, "reviewer",
                t0.plusSeconds(4)));
        view = task(task, requested);
        JsonNode reviews = view.path("reviews");
        assertThat(fieldNames(reviews)).isEqualTo(Set.of("round", "phase", "requested_count", "role", "requested_at",
                "submitted"));
        assertThat(reviews.path("round").asInt()).isEqualTo(1);
        assertThat(reviews.path("phase").asString()).isEqualTo("REVIEW");
        assertThat(reviews.path("requested_count").asInt()).isEqualTo(2);
        assertThat(reviews.path("role").asString()).isEqualTo("reviewer");
        assertThat(Instant.parse(reviews.path("requested_at").asString())).isEqualTo(t0.plusSeconds(4));
        assertThat(reviews.path("submitted").size()).isZero();

        long reviewed = emit(task, new ReviewSubmittedEvent(task, "acme", "REVIEW", 1, "rev-1", "bob", "approve",
                "Looks good", t0.plusSeconds(5)));
        view = task(task, reviewed);
        JsonNode review = view.path("reviews").path("submitted").get(0);
        assertThat(fieldNames(review)).isEqualTo(Set.of("review_id", "round", "phase", "reviewer_id", "verdict",
                "comments", "submitted_at"));
        assertThat(review.path("review_id").asString()).isEqualTo("rev-1");
        assertThat(review.path("reviewer_id").asString()).isEqualTo("bob");
        assertThat(review.path("verdict").asString()).isEqualTo("approve");
        assertThat(review.path("comments").asString()).isEqualTo("Looks good");
        assertThat(Instant.parse(review.path("submitted_at").asString())).isEqualTo(t0.plusSeconds(5));

        long approvalRequested = emit(task, approvalRequested(task, "acme", "agent-1", "ap-1-" + task, "call-1-" + task));
        view = task(task, approvalRequested);
        assertThat(view.path("pending_approvals").size()).isEqualTo(1);
        JsonNode approval = view.path("pending_approvals").get(0);
        assertThat(fieldNames(approval)).isEqualTo(APPROVAL_FIELDS);
        assertThat(approval.path("approval_id").asString()).isEqualTo("ap-1-" + task);
        assertThat(approval.path("status").asString()).isEqualTo("pending");
        assertThat(approval.path("tool_name").asString()).isEqualTo("deploy_preview");
        assertThat(approval.path("args_digest").asString()).isEqualTo("sha256:abc");
        assertThat(approval.path("args_summary").path("env").asString()).isEqualTo("preview");
        assertThat(approval.path("args_summary").path("api_key").asString()).isEqualTo("***");
        assertThat(approval.path("decided_by").isNull()).isTrue();

        emit(task, approvalRequested(task, "acme", "agent-1", "ap-2-" + task, "call-2-" + task));
        emit(task, new ToolApprovalGrantedEvent(task, "acme", "ap-1-" + task, "carol", "go ahead", t0.plusSeconds(7)));
        long denied = emit(task, new ToolApprovalDeniedEvent(task, "acme", "ap-2-" + task, "dave", "not now",
                t0.plusSeconds(8)));
        view = task(task, denied);
        assertThat(view.path("pending_approvals").size()).isZero();
        JsonNode approvals = get("/api/v1/tasks/" + task + "/approvals?min_position=" + denied, TestIdentities.acme());
        assertThat(approvals.path("items").size()).isEqualTo(2);
        assertThat(approvals.path("items").get(0).path("status").asString()).isEqualTo("granted");
        assertThat(approvals.path("items").get(0).path("decided_by").asString()).isEqualTo("carol");
        assertThat(approvals.path("items").get(0).path("comment").asString()).isEqualTo("go ahead");
        assertThat(Instant.parse(approvals.path("items").get(0).path("decided_at").asString()))
                .isEqualTo(t0.plusSeconds(7));
        assertThat(approvals.path("items").get(1).path("status").asString()).isEqualTo("denied");
        assertThat(approvals.path("items").get(1).path("decided_by").asString()).isEqualTo("dave");
        JsonNode granted = get("/api/v1/tasks/" + task + "/approvals?status=granted", TestIdentities.acme());
        assertThat(granted.path("items").size()).isEqualTo(1);
        problem(http.get().uri("/api/v1/tasks/" + task + "/approvals?status=bogus"), TestIdentities.acme(), 400,
                "invalid_parameter");

        long refreshed = emit(task, new PhaseTokenRefreshedEvent(task, "acme", "agent-1", "REVIEW", 3, "jti-3",
                t0.plusSeconds(9000), t0.plusSeconds(10)));
        view = task(task, refreshed);
        assertThat(generation(task)).isEqualTo(3);
        assertThat(view.path("position").asLong()).isEqualTo(refreshed);
        assertThat(Instant.parse(view.path("updated_at").asString())).isEqualTo(t0.plusSeconds(8));

        JsonNode rounds = get("/api/v1/tasks/" + task + "/reviews", TestIdentities.acme());
        assertThat(rounds.path("items").size()).isEqualTo(1);
        assertThat(rounds.path("items").get(0).path("submitted").get(0).path("review_id").asString()).isEqualTo("rev-1");

        // the dependency completes: the dependent's view shows it
        long depDone = emit(dep, new TaskCompletedEvent(dep, "acme", "agent-9", wf, "COMPLETE", t0.plusSeconds(11)));
        view = task(task, depDone);
        assertThat(dependencies(view)).containsExactly(dep + "|Task " + dep + "|completed", ghost + "|null|unknown");

        emit(task, new TaskTransitionedEvent(task, "acme", "agent-1", wf, 1, "REVIEW", "COMPLETE", Map.of(),
                List.of(), 4, "jti-4", t0.plusSeconds(7200), t0.plusSeconds(12)));
        long completed = emit(task, new TaskCompletedEvent(task, "acme", "agent-1", wf, "COMPLETE",
                t0.plusSeconds(12)));
        view = task(task, completed);
        assertThat(view.path("status").asString()).isEqualTo("completed");
        assertThat(view.path("phase").asString()).isEqualTo("COMPLETE");
        assertThat(view.path("claimed_by").isNull()).isTrue();
        assertThat(view.path("lease_expires_at").isNull()).isTrue();
        assertThat(Instant.parse(view.path("completed_at").asString())).isEqualTo(t0.plusSeconds(12));
        assertThat(view.path("allowed_tools").size()).isZero();
        assertThat(generation(task)).isEqualTo(4);
        assertThat(ids(list("project_id=" + project + "&status=completed", TestIdentities.acme())))
                .containsExactlyInAnyOrder(task, dep);

        // cancellation of a claimed task ends the claim
        String other = project + "-cancelled";
        emit(other, created(other, "acme", project, wf, List.of(), List.of(), 0));
        emit(other, new TaskClaimedEvent(other, "acme", "agent-2", "PLAN", 1, "jti-c", t0.plusSeconds(7200),
                t0.plusSeconds(900), t0.plusSeconds(20)));
        long cancelled = emit(other, new TaskCancelledEvent(other, "acme", "PLAN", "agent-2", "obsolete", "alice",
                t0.plusSeconds(21)));
        view = task(other, cancelled);
        assertThat(view.path("status").asString()).isEqualTo("cancelled");
        assertThat(view.path("claimed_by").isNull()).isTrue();
        assertThat(view.path("lease_expires_at").isNull()).isTrue();
        assertThat(Instant.parse(view.path("cancelled_at").asString())).isEqualTo(t0.plusSeconds(21));
        assertThat(view.path("completed_at").isNull()).isTrue();
        assertThat(view.path("allowed_tools").size()).isZero();

        // another organisation sees none of it
        problem(http.get().uri("/api/v1/tasks/" + task + "/reviews"), TestIdentities.other(), 404, "task_not_found");
        problem(http.get().uri("/api/v1/tasks/" + task + "/approvals"), TestIdentities.other(), 404, "task_not_found");
    }

    @Test
    void subscribersOfATaskGetEveryChangeAndTheChangesOfItsDependencies() {
        String wf = "wf-" + suffix();
        publish("acme", wf, 1);
        String dep = "sub-dep-" + suffix();
        String task = "sub-task-" + suffix();
        emit(dep, created(dep, "acme", "subscriptions", wf, List.of(), List.of(), 0));
        long created = emit(task, created(task, "acme", "subscriptions", wf, List.of(dep), List.of(), 0));
        getTask(task, created, TestIdentities.acme()).expectStatus().isOk();

        List<TaskView> received = new CopyOnWriteArrayList<>();
        SubscriptionQueryResult<Optional<TaskView>, TaskView> subscription = queryGateway.subscriptionQuery(
                new FindTaskQuery("acme", task), ResponseTypes.optionalInstanceOf(TaskView.class),
                ResponseTypes.instanceOf(TaskView.class));
        try {
            assertThat(subscription.initialResult().block(Duration.ofSeconds(10))).hasValueSatisfying(
                    view -> assertThat(view.taskId()).isEqualTo(task));
            subscription.updates().subscribe(received::add);

            emit(task, new TaskClaimedEvent(task, "acme", "agent-1", "PLAN", 1, "jti-1", t0.plusSeconds(7200),
                    t0.plusSeconds(900), t0));
            emit(task, new TaskTransitionRejectedEvent(task, "acme", "agent-1", wf, 1, "PLAN", "REVIEW", List.of(),
                    List.of(TransitionBlocker.of("missing_artifact", "plan")), t0.plusSeconds(1)));
            emit(task, transitioned(task, wf, "PLAN", "REVIEW", 2));
            emit(task, new ReviewsRequestedEvent(task, "acme", "REVIEW", 1, 1, "reviewer", t0.plusSeconds(3)));
            emit(task, new ReviewSubmittedEvent(task, "acme", "REVIEW", 1, "rev-" + task, "bob", "approve", null,
                    t0.plusSeconds(4)));
            emit(task, approvalRequested(task, "acme", "agent-1", "ap-" + task, "call-" + task));
            emit(task, new ToolApprovalGrantedEvent(task, "acme", "ap-" + task, "carol", null, t0.plusSeconds(7)));
            emit(task, new PhaseTokenRefreshedEvent(task, "acme", "agent-1", "REVIEW", 3, "jti-3",
                    t0.plusSeconds(9000), t0.plusSeconds(8)));
            emit(dep, new TaskCompletedEvent(dep, "acme", "agent-9", wf, "COMPLETE", t0.plusSeconds(9)));
            emit(task, new TaskCancelledEvent(task, "acme", "REVIEW", "agent-1", "stop", "alice", t0.plusSeconds(10)));
            // another organisation's or another task's changes are not sent
            String unrelated = "sub-other-" + suffix();
            emit(unrelated, created(unrelated, "acme", "subscriptions", wf, List.of(), List.of(), 0));

            awaitCondition("10 updates", () -> received.size() >= 10, Duration.ofSeconds(15),
                    () -> received.toString());
            List<TaskView> updates = List.copyOf(received);
            assertThat(updates).hasSize(10).allMatch(view -> view.taskId().equals(task));
            assertThat(updates.get(0).status()).isEqualTo("claimed");
            assertThat(updates.get(1).blockers()).extracting(TransitionBlocker::code).containsExactly("missing_artifact");
            assertThat(updates.get(2).phase()).isEqualTo("REVIEW");
            assertThat(updates.get(2).blockers()).isEmpty();
            assertThat(updates.get(3).reviews().requestedCount()).isEqualTo(1);
            assertThat(updates.get(4).reviews().submitted()).hasSize(1);
            assertThat(updates.get(5).pendingApprovals()).hasSize(1);
            assertThat(updates.get(6).pendingApprovals()).isEmpty();
            assertThat(updates.get(7).position()).isGreaterThan(updates.get(6).position());
            assertThat(updates.get(8).dependencies()).extracting(TaskDependencyView::status).containsExactly("completed");
            assertThat(updates.get(9).status()).isEqualTo("cancelled");
        } finally {
            subscription.cancel();
        }
    }

    @Test
    void redeliveredEventsChangeNothing() {
        String wf = "wf-" + suffix();
        publish("acme", wf, 1);
        String task = "redeliver-" + suffix();
        List<Long> positions = new ArrayList<>();
        positions.add(emit(task, created(task, "acme", "redeliver", wf, List.of("x-" + task), List.of("java"), 1)));
        positions.add(emit(task, new TaskClaimedEvent(task, "acme", "agent-1", "PLAN", 1, "jti-1", t0.plusSeconds(7200),
                t0.plusSeconds(900), t0)));
        positions.add(emit(task, new TaskTransitionRejectedEvent(task, "acme", "agent-1", wf, 1, "PLAN", "REVIEW",
                List.of(), List.of(TransitionBlocker.of("missing_artifact", "plan is missing")), t0.plusSeconds(1))));
        positions.add(emit(task, new TaskTransitionedEvent(task, "acme", "agent-1", wf, 1, "PLAN", "REVIEW", Map.of(),
                List.of(), 2, "jti-2", t0.plusSeconds(7200), t0.plusSeconds(2))));
        positions.add(emit(task, new ReviewsRequestedEvent(task, "acme", "REVIEW", 1, 1, "reviewer", t0.plusSeconds(3))));
        positions.add(emit(task, new ReviewSubmittedEvent(task, "acme", "REVIEW", 1, "rev-" + task, "bob",
                "changes_requested", "more tests", t0.plusSeconds(4))));
        positions.add(emit(task, decided(task, "acme", "agent-1", wf, "call-a-" + task, "read_file", "allowed", null,
                List.of())));
        positions.add(emit(task, decided(task, "acme", "agent-1", wf, "call-b-" + task, "write_file", "denied",
                "tool_not_allowed", List.of())));
        positions.add(emit(task, approvalRequested(task, "acme", "agent-1", "ap-" + task, "call-c-" + task)));
        positions.add(emit(task, new ToolApprovalGrantedEvent(task, "acme", "ap-" + task, "carol", null,
                t0.plusSeconds(6))));
        positions.add(emit(task, new ToolCallOutcomeReportedEvent(task, "acme", "agent-1", "call-a-" + task,
                "read_file", "agent", "succeeded", "read 3 files", t0.plusSeconds(7))));
        positions.add(emit(task, new PhaseTokenRefreshedEvent(task, "acme", "agent-1", "REVIEW", 3, "jti-3",
                t0.plusSeconds(9000), t0.plusSeconds(8))));
        positions.add(emit(task, new TaskCancelledEvent(task, "acme", "REVIEW", "agent-1", "stop", "alice",
                t0.plusSeconds(9))));
        long last = positions.get(positions.size() - 1);
        awaitAllCaughtUp(last);
        Map<String, List<String>> before = dumpAll();
        JsonNode metricsBefore = get("/api/v1/workflows/" + wf + "/metrics", TestIdentities.acme());
        assertThat(metricsBefore.path("transitions_attempted").asLong()).isEqualTo(2);
        assertThat(metricsBefore.path("tool_calls").asLong()).isEqualTo(2);

        for (String group : TABLES.keySet()) {
            EventHandlerInvoker invoker = ((AbstractEventProcessor) processor(group)).eventHandlerInvoker();
            for (long position : positions) {
                TrackedEventMessage<?> event = trackedEventAt(position);
                redeliver(invoker, event);
                redeliver(invoker, event);
            }
        }
        assertThat(dumpAll()).isEqualTo(before);
        assertThat(get("/api/v1/workflows/" + wf + "/metrics", TestIdentities.acme())).isEqualTo(metricsBefore);
    }

    /**
     * Events that fill a gap: the processor read the newest event first and the two older ones committed later, so
     * all three arrive with the token's highest index. Each must be recorded at its own position, as when they
     * arrived in order: the task at its creation, both tool calls (unique per position) and both counted.
     */
    @Test
    void eventsThatFillAGapAreRecordedAtTheirOwnPositions() {
        String wf = "wf-" + suffix();
        publish("acme", wf, 1);
        String task = "late-" + suffix();
        long created = emit(task, created(task, "acme", "late", wf, List.of(), List.of("java"), 1));
        long callA = emit(task, decided(task, "acme", "agent-1", wf, "late-a-" + task, "read_file", "allowed", null,
                List.of()));
        long callB = emit(task, decided(task, "acme", "agent-1", wf, "late-b-" + task, "write_file", "denied",
                "tool_not_allowed", List.of()));
        awaitAllCaughtUp(callB);
        Map<String, List<String>> inOrder = dumpAll();
        JsonNode metricsInOrder = get("/api/v1/workflows/" + wf + "/metrics", TestIdentities.acme());
        assertThat(metricsInOrder.path("tool_calls").asLong()).isEqualTo(2);

        // callB read first (created and callA still gaps), then the two gaps filled: the token stays at callB
        List<TrackedEventMessage<?>> gapsFilled = List.of(
                withToken(trackedEventAt(callB), GapAwareTrackingToken.newInstance(callB, List.of(created, callA))),
                withToken(trackedEventAt(created), GapAwareTrackingToken.newInstance(callB, List.of(callA))),
                withToken(trackedEventAt(callA), GapAwareTrackingToken.newInstance(callB, List.of())));
        // the same, with the newest event's token far ahead (a projection that handles few of the events read):
        // positions are then looked up by identifier rather than by a range of the store
        long far = callB + 1_000;
        List<TrackedEventMessage<?>> sparse = List.of(
                withToken(trackedEventAt(callB), GapAwareTrackingToken.newInstance(far, List.of(created, callA))),
                withToken(trackedEventAt(created), GapAwareTrackingToken.newInstance(far, List.of(callA))),
                withToken(trackedEventAt(callA), GapAwareTrackingToken.newInstance(far, List.of())));
        for (List<TrackedEventMessage<?>> late : List.of(gapsFilled, sparse)) {
            // forget what the projections made of the three events
            for (String table : TABLES.get(TaskProjection.GROUP)) {
                jdbc.update("DELETE FROM " + table + " WHERE task_id = ?", task);
            }
            jdbc.update("DELETE FROM tool_calls WHERE task_id = ?", task);
            jdbc.update("DELETE FROM workflow_metrics WHERE org_id = 'acme' AND workflow_id = ?", wf);
            jdbc.update("DELETE FROM workflow_metrics_tasks WHERE task_id = ?", task);
            jdbc.update("DELETE FROM workflow_metrics_counted WHERE position IN (?, ?)", callA, callB);
            assertThat(dumpAll()).isNotEqualTo(inOrder);

            for (String group : TABLES.keySet()) {
                EventHandlerInvoker invoker = ((AbstractEventProcessor) processor(group)).eventHandlerInvoker();
                BatchingUnitOfWork<TrackedEventMessage<?>> batch = new BatchingUnitOfWork<>(late);
                ResultMessage<Object> result = batch.executeWithResult(() -> {
                    invoker.handle(batch.getMessage(), Segment.ROOT_SEGMENT);
                    return null;
                });
                assertThat(result.isExceptional()).as(group + ": " + result).isFalse();
            }

            assertThat(dumpAll()).isEqualTo(inOrder);
            assertThat(get("/api/v1/workflows/" + wf + "/metrics", TestIdentities.acme())).isEqualTo(metricsInOrder);
        }
    }

    private static TrackedEventMessage<?> withToken(TrackedEventMessage<?> event, TrackingToken token) {
        return new GenericTrackedDomainEventMessage<>(token, (DomainEventMessage<?>) event);
    }

    @Test
    void theToolCallLogFiltersAndPages() {
        String wf = "wf-" + suffix();
        String s = suffix();
        String t1 = "tc1-" + s;
        String t2 = "tc2-" + s;
        String a1 = "agent-a-" + s;
        String a2 = "agent-b-" + s;
        emit(t1, created(t1, "acme", "tools", wf, List.of(), List.of(), 0));
        emit(t2, created(t2, "acme", "tools", wf, List.of(), List.of(), 0));
        emit(t1, decided(t1, "acme", a1, wf, "c1-" + s, "read_file", "allowed", null, List.of()));
        emit(t1, new ToolCallDecidedEvent(t1, "acme", a1, wf, 1, "PLAN", "c2-" + s, "write_file", "sha256:c2",
                Map.of("path", "src/Main.java", "token", "***"), "denied", "tool_not_allowed",
                "write_file is not allowed in PLAN", null, List.of(), t0.plusSeconds(2)));
        emit(t2, decided(t2, "acme", a2, wf, "c3-" + s, "deploy_preview", "approval_required", "approval_required",
                List.of()));
        emit(t2, decided(t2, "acme", a2, wf, "c4-" + s, "write_file", "allowed", null,
                List.of("constraint_violated: path")));
        emit(t1, decided(t1, "acme", a1, wf, "c5-" + s, "run_tests", "allowed", null, List.of()));
        emit(t1, new ToolCallOutcomeReportedEvent(t1, "acme", a1, "c5-" + s, "run_tests", "executor", "succeeded",
                "2 passed", t0.plusSeconds(30)));
        String elsewhere = "tc-other-" + s;
        emit(elsewhere, created(elsewhere, "other", "tools", wf, List.of(), List.of(), 0));
        long last = emit(elsewhere, decided(elsewhere, "other", a1, wf, "c6-" + s, "read_file", "allowed", null,
                List.of()));

        JsonNode byTask = get("/api/v1/tool-calls?task_id=" + t1 + "&min_position=" + last, TestIdentities.acme());
        assertThat(callIds(byTask)).containsExactly("c5-" + s, "c2-" + s, "c1-" + s);
        assertThat(byTask.path("next_cursor").isNull()).isTrue();
        JsonNode c5 = byTask.path("items").get(0);
        assertThat(fieldNames(c5)).isEqualTo(TOOL_CALL_FIELDS);
        assertThat(c5.path("outcome").path("status").asString()).isEqualTo("succeeded");
        assertThat(c5.path("outcome").path("summary").asString()).isEqualTo("2 passed");
        assertThat(c5.path("outcome").path("source").asString()).isEqualTo("executor");
        assertThat(Instant.parse(c5.path("outcome").path("reported_at").asString())).isEqualTo(t0.plusSeconds(30));
        JsonNode c2 = byTask.path("items").get(1);
        assertThat(c2.path("outcome").isNull()).isTrue();
        assertThat(c2.path("decision").asString()).isEqualTo("denied");
        assertThat(c2.path("code").asString()).isEqualTo("tool_not_allowed");
        assertThat(c2.path("reason").asString()).isEqualTo("write_file is not allowed in PLAN");
        assertThat(c2.path("tool_name").asString()).isEqualTo("write_file");
        assertThat(c2.path("args_digest").asString()).isEqualTo("sha256:c2");
        assertThat(c2.path("args_summary").path("path").asString()).isEqualTo("src/Main.java");
        assertThat(c2.path("args_summary").path("token").asString()).isEqualTo("***");
        assertThat(c2.path("agent_id").asString()).isEqualTo(a1);
        assertThat(c2.path("workflow_id").asString()).isEqualTo(wf);
        assertThat(c2.path("workflow_version").asInt()).isEqualTo(1);
        assertThat(c2.path("phase").asString()).isEqualTo("PLAN");
        assertThat(Instant.parse(c2.path("decided_at").asString())).isEqualTo(t0.plusSeconds(2));

        assertThat(callIds(get("/api/v1/tool-calls?agent_id=" + a2, TestIdentities.acme())))
                .containsExactly("c4-" + s, "c3-" + s);
        JsonNode c4 = get("/api/v1/tool-calls?agent_id=" + a2, TestIdentities.acme()).path("items").get(0);
        assertThat(strings(c4.path("warnings"))).containsExactly("constraint_violated: path");
        assertThat(callIds(get("/api/v1/tool-calls?agent_id=" + a1 + "&decision=denied", TestIdentities.acme())))
                .containsExactly("c2-" + s);
        JsonNode approvalRequired = get("/api/v1/tool-calls?task_id=" + t2 + "&decision=approval_required",
                TestIdentities.acme());
        assertThat(callIds(approvalRequired)).containsExactly("c3-" + s);
        assertThat(approvalRequired.path("items").get(0).path("approval_id").asString()).isEqualTo("ap-c3-" + s);

        // cursor pagination
        JsonNode page1 = get("/api/v1/tool-calls?agent_id=" + a1 + "&limit=2", TestIdentities.acme());
        assertThat(callIds(page1)).containsExactly("c5-" + s, "c2-" + s);
        String cursor = page1.path("next_cursor").asString();
        assertThat(cursor).matches("\\d+");
        JsonNode page2 = get("/api/v1/tool-calls?agent_id=" + a1 + "&limit=2&after=" + cursor, TestIdentities.acme());
        assertThat(callIds(page2)).containsExactly("c1-" + s);
        assertThat(page2.path("next_cursor").isNull()).isTrue();

        // organisations are isolated: the same agent id in another organisation
        assertThat(callIds(get("/api/v1/tool-calls?agent_id=" + a1, TestIdentities.other())))
                .containsExactly("c6-" + s);
        assertThat(callIds(get("/api/v1/tool-calls?task_id=" + t1, TestIdentities.other()))).isEmpty();

        for (String query : List.of("decision=bogus", "limit=0", "limit=201", "after=not-a-cursor", "after=-1")) {
            problem(http.get().uri("/api/v1/tool-calls?" + query), TestIdentities.acme(), 400, "invalid_parameter");
        }
        problem(http.get().uri("/api/v1/tool-calls?limit=abc"), TestIdentities.acme(), 400, null);
    }

    @Test
    void workflowMetricsCountGateBlocksAndToolViolations() {
        String wf = "wf-" + suffix();
        String quiet = "wf-quiet-" + suffix();
        publish("acme", wf, 1);
        publish("acme", quiet, 1);
        String t1 = "m1-" + suffix();
        String t2 = "m2-" + suffix();
        List<Long> positions = new ArrayList<>();
        positions.add(emit(t1, created(t1, "acme", "metrics", wf, List.of(), List.of(), 0)));
        positions.add(emit(t2, created(t2, "acme", "metrics", wf, List.of(), List.of(), 0)));
        positions.add(emit(t1, transitioned(t1, wf, "PLAN", "REVIEW", 2)));
        positions.add(emit(t1, new TaskTransitionRejectedEvent(t1, "acme", "agent-1", wf, 1, "REVIEW", "COMPLETE",
                List.of(), List.of(new TransitionBlocker("missing_artifact", "review missing", "review", null),
                new TransitionBlocker("missing_artifact", "completion missing", "completion", null),
                TransitionBlocker.of("all_tests_pass", "1 failed")), t0.plusSeconds(3))));
        positions.add(emit(t2, new TaskTransitionRejectedEvent(t2, "acme", "agent-2", wf, 1, "PLAN", "REVIEW",
                List.of(), List.of(TransitionBlocker.of("missing_artifact", "plan missing")), t0.plusSeconds(4))));
        positions.add(emit(t2, transitioned(t2, wf, "PLAN", "REVIEW", 2)));
        positions.add(emit(t1, transitioned(t1, wf, "REVIEW", "COMPLETE", 3)));
        positions.add(emit(t1, decided(t1, "acme", "agent-1", wf, "m-c1-" + t1, "read_file", "allowed", null,
                List.of())));
        positions.add(emit(t1, decided(t1, "acme", "agent-1", wf, "m-c2-" + t1, "write_file", "allowed", null,
                List.of("constraint_violated: path"))));
        positions.add(emit(t2, decided(t2, "acme", "agent-2", wf, "m-c3-" + t2, "rm", "denied", "tool_not_allowed",
                List.of())));
        positions.add(emit(t2, decided(t2, "acme", "agent-2", wf, "m-c4-" + t2, "deploy_preview",
                "approval_required", "approval_required", List.of())));
        positions.add(emit(t2, approvalRequested(t2, "acme", "agent-2", "m-ap-" + t2, "m-c4-" + t2)));
        long last = positions.get(positions.size() - 1);

        JsonNode metrics = get("/api/v1/workflows/" + wf + "/metrics?min_position=" + last, TestIdentities.acme());
        assertThat(fieldNames(metrics)).isEqualTo(METRICS_FIELDS);
        assertThat(metrics.path("org_id").asString()).isEqualTo("acme");
        assertThat(metrics.path("workflow_id").asString()).isEqualTo(wf);
        assertThat(metrics.path("transitions_attempted").asLong()).isEqualTo(5);
        assertThat(metrics.path("transitions_rejected").asLong()).isEqualTo(2);
        assertThat(metrics.path("gate_block_rate").asDouble()).isEqualTo(0.4);
        assertThat(metrics.path("gate_blocks").path("missing_artifact").asLong()).isEqualTo(2);
        assertThat(metrics.path("gate_blocks").path("all_tests_pass").asLong()).isEqualTo(1);
        assertThat(fieldNames(metrics.path("gate_blocks"))).containsExactlyInAnyOrder("missing_artifact",
                "all_tests_pass");
        assertThat(metrics.path("tool_calls").asLong()).isEqualTo(4);
        assertThat(metrics.path("tool_calls_denied").asLong()).isEqualTo(1);
        assertThat(metrics.path("tool_calls_warned").asLong()).isEqualTo(1);
        assertThat(metrics.path("tool_violations").asLong()).isEqualTo(2);
        assertThat(metrics.path("tool_violation_rate").asDouble()).isEqualTo(0.5);
        assertThat(metrics.path("approvals_requested").asLong()).isEqualTo(1);
        assertThat(metrics.path("position").asLong()).isEqualTo(last);

        // redelivery counts nothing twice
        EventHandlerInvoker invoker = ((AbstractEventProcessor) processor(WorkflowMetricsProjection.GROUP))
                .eventHandlerInvoker();
        for (long position : positions) {
            redeliver(invoker, trackedEventAt(position));
        }
        assertThat(get("/api/v1/workflows/" + wf + "/metrics", TestIdentities.acme())).isEqualTo(metrics);

        // a published workflow without activity: zeros, and rates of 0 rather than a division by zero
        JsonNode zeros = get("/api/v1/workflows/" + quiet + "/metrics?min_position=" + last, TestIdentities.acme());
        assertThat(zeros.path("transitions_attempted").asLong()).isZero();
        assertThat(zeros.path("gate_block_rate").asDouble()).isZero();
        assertThat(zeros.path("tool_violation_rate").asDouble()).isZero();
        assertThat(zeros.path("gate_blocks").size()).isZero();

        problem(http.get().uri("/api/v1/workflows/wf-never-" + suffix() + "/metrics"), TestIdentities.acme(), 404,
                "workflow_not_found");
        problem(http.get().uri("/api/v1/workflows/" + wf + "/metrics"), TestIdentities.other(), 404,
                "workflow_not_found");
    }

    @Test
    void claimableTasksHaveCompletedDependenciesAndCoveredCapabilities() {
        String wf = "wf-" + suffix();
        String q = "claimable-" + suffix();
        String done = q + "-done";
        String a = q + "-a";
        String b = q + "-b";
        String c = q + "-c";
        String d = q + "-d";
        String e = q + "-e";
        String f = q + "-f";
        String g = q + "-g";
        String h = q + "-h";
        emit(done, created(done, "acme", q, wf, List.of(), List.of(), 0));
        emit(done, new TaskCompletedEvent(done, "acme", "agent-0", wf, "COMPLETE", t0));
        emit(a, created(a, "acme", q, wf, List.of(), List.of("java"), 1));
        emit(b, created(b, "acme", q, wf, List.of(a), List.of(), 5));
        emit(c, created(c, "acme", q, wf, List.of(done), List.of(), 3));
        emit(d, created(d, "acme", q, wf, List.of(), List.of("python"), 9));
        emit(e, created(e, "acme", q, wf, List.of(), List.of(), 3));
        emit(f, created(f, "acme", q, wf, List.of(), List.of(), 8));
        emit(f, new TaskClaimedEvent(f, "acme", "agent-1", "PLAN", 1, "jti", t0.plusSeconds(7200), t0.plusSeconds(900),
                t0));
        emit(g, created(g, "acme", q, wf, List.of(), List.of(), 8));
        emit(g, new TaskCancelledEvent(g, "acme", "PLAN", null, "no", "alice", t0));
        emit(h, created(h, "acme", q, wf, List.of(q + "-ghost"), List.of(), 8));
        String theirs = q + "-theirs";
        long last = emit(theirs, created(theirs, "other", q, wf, List.of(), List.of(), 9));

        assertThat(claimable("project_id=" + q + "&min_position=" + last)).containsExactly(d, c, e, a);
        assertThat(claimable("project_id=" + q + "&capabilities=java")).containsExactly(c, e, a);
        assertThat(claimable("project_id=" + q + "&capabilities=java,python")).containsExactly(d, c, e, a);
        // blanks around the names do not matter
        assertThat(ids(json(http.get().uri("/api/v1/tasks/claimable?project_id={q}&capabilities={c}", q, "rust, java ")
                .header(InternalTokens.HEADER, TestIdentities.acme()).exchange()
                .expectStatus().isOk().expectBody(String.class).returnResult()))).containsExactly(c, e, a);
        assertThat(claimable("project_id=" + q + "&capabilities=")).containsExactly(c, e);
        assertThat(claimable("project_id=" + q + "&capabilities=java&limit=1")).containsExactly(c);
        JsonNode first = get("/api/v1/tasks/claimable?project_id=" + q + "&limit=1", TestIdentities.acme());
        assertThat(fieldNames(first)).isEqualTo(Set.of("items"));
        assertThat(fieldNames(first.path("items").get(0))).isEqualTo(TASK_FIELDS);

        // the dependency completes: its dependent becomes claimable, ahead by priority
        long completed = emit(a, new TaskCompletedEvent(a, "acme", "agent-1", wf, "COMPLETE", t0.plusSeconds(5)));
        assertThat(claimable("project_id=" + q + "&capabilities=java&min_position=" + completed))
                .containsExactly(b, c, e);
        // a released task is claimable again
        emit(f, new TaskReleasedEvent(f, "acme", "agent-1", t0.plusSeconds(6)));
        long released = lastIndex();
        assertThat(claimable("project_id=" + q + "&min_position=" + released)).containsExactly(d, f, b, c, e);

        // organisations are isolated: the other organisation's task of the same project name is theirs alone
        assertThat(claimable("project_id=" + q, TestIdentities.other())).containsExactly(theirs);
        String tooMany = IntStream.range(0, 51).mapToObj(i -> "cap" + i).collect(Collectors.joining(","));
        for (String query : List.of("limit=0", "limit=201", "capabilities=" + tooMany, "capabilities=" + "x".repeat(300))) {
            problem(http.get().uri("/api/v1/tasks/claimable?" + query), TestIdentities.acme(), 400,
                    "invalid_parameter");
        }
        problem(http.get().uri("/api/v1/tasks/claimable?limit=abc"), TestIdentities.acme(), 400, null);
    }

    @Test
    void theAgentSnapshotAnswersTheTokensTask() {
        String wf = "wf-" + suffix();
        publish("acme", wf, 1);
        String p = "agent-snap-" + suffix();
        String dep1 = p + "-dep1";
        String dep2 = p + "-dep2";
        String done = p + "-done";
        String task = p + "-task";
        emit(dep1, created(dep1, "acme", p, wf, List.of(), List.of(), 0));
        emit(dep1, new TaskCompletedEvent(dep1, "acme", "agent-0", wf, "COMPLETE", t0.plusSeconds(10)));
        emit(dep2, created(dep2, "acme", p, wf, List.of(), List.of(), 0));
        emit(dep2, new TaskCompletedEvent(dep2, "acme", "agent-0", wf, "COMPLETE", t0.plusSeconds(20)));
        emit(done, created(done, "acme", p, wf, List.of(), List.of(), 0));
        emit(done, new TaskCompletedEvent(done, "acme", "agent-0", wf, "COMPLETE", t0.plusSeconds(30)));
        String elsewhere = p + "-elsewhere";
        emit(elsewhere, created(elsewhere, "acme", p + "-other-project", wf, List.of(), List.of(), 0));
        emit(elsewhere, new TaskCompletedEvent(elsewhere, "acme", "agent-0", wf, "COMPLETE", t0.plusSeconds(40)));
        String foreign = p + "-foreign";
        emit(foreign, created(foreign, "other", p, wf, List.of(), List.of(), 0));
        emit(foreign, new TaskCompletedEvent(foreign, "other", "agent-0", wf, "COMPLETE", t0.plusSeconds(50)));
        emit(task, created(task, "acme", p, wf, List.of(dep1, dep2), List.of(), 0));
        emit(task, new TaskClaimedEvent(task, "acme", "agent-1", "PLAN", 1, "jti-1", t0.plusSeconds(7200),
                t0.plusSeconds(900), t0.plusSeconds(60)));
        emit(task, transitioned(task, wf, "PLAN", "REVIEW", 2));
        long rejected = emit(task, new TaskTransitionRejectedEvent(task, "acme", "agent-1", wf, 1, "REVIEW",
                "COMPLETE", List.of("review"), List.of(TransitionBlocker.of("reviews_approved",
                "1 of 1 requested reviews is missing")), t0.plusSeconds(70)));
        getTask(task, rejected, TestIdentities.acme()).expectStatus().isOk();

        TestPhaseTokens tokens = TestPhaseTokens.shared();
        JsonNode snapshot = json(snapshot(tokens.token("agent-1", task, "REVIEW", 2))
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
                .expectBody(String.class).returnResult());
        assertThat(fieldNames(snapshot)).isEqualTo(SNAPSHOT_FIELDS);
        JsonNode view = snapshot.path("task");
        assertThat(fieldNames(view)).isEqualTo(TASK_FIELDS);
        assertThat(view.path("task_id").asString()).isEqualTo(task);
        assertThat(view.path("title").asString()).isEqualTo("Task " + task);
        assertThat(view.path("status").asString()).isEqualTo("claimed");
        assertThat(view.path("phase").asString()).isEqualTo("REVIEW");
        assertThat(view.path("workflow_id").asString()).isEqualTo(wf);
        assertThat(view.path("workflow_version").asInt()).isEqualTo(1);
        assertThat(strings(view.path("depends_on"))).containsExactly(dep1, dep2);
        JsonNode deps = snapshot.path("task_dependencies");
        assertThat(deps.size()).isEqualTo(2);
        assertThat(fieldNames(deps.get(0))).isEqualTo(Set.of("task_id", "title", "status"));
        assertThat(deps.get(0).path("task_id").asString()).isEqualTo(dep1);
        assertThat(deps.get(0).path("title").asString()).isEqualTo("Task " + dep1);
        assertThat(deps.get(0).path("status").asString()).isEqualTo("completed");
        assertThat(deps.get(1).path("task_id").asString()).isEqualTo(dep2);
        JsonNode completed = snapshot.path("completed_tasks");
        List<String> completedIds = new ArrayList<>();
        completed.forEach(item -> completedIds.add(item.path("task_id").asString()));
        assertThat(completedIds).containsExactly(done, dep2, dep1);
        assertThat(fieldNames(completed.get(0))).isEqualTo(Set.of("task_id", "title", "completed_at"));
        assertThat(completed.get(0).path("title").asString()).isEqualTo("Task " + done);
        assertThat(Instant.parse(completed.get(0).path("completed_at").asString())).isEqualTo(t0.plusSeconds(30));
        assertThat(snapshot.path("blockers").size()).isEqualTo(1);
        assertThat(snapshot.path("blockers").get(0).path("code").asString()).isEqualTo("reviews_approved");
        assertThat(snapshot.path("blockers").get(0).path("message").asString())
                .isEqualTo("1 of 1 requested reviews is missing");

        // superseded, wrong agent, a generation never issued
        assertRefused(tokens.token("agent-1", task, "PLAN", 1), "superseded");
        assertRefused(tokens.token("agent-2", task, "REVIEW", 2), "not_claimant");
        assertRefused(tokens.token("agent-1", task, "REVIEW", 99), "superseded");
        // a task that does not exist
        assertRefused(tokens.token("agent-1", "no-such-task-" + suffix(), "PLAN", 1), "unknown_task");

        // a released task: the token of the claim no longer works
        String released = p + "-released";
        emit(released, created(released, "acme", p, wf, List.of(), List.of(), 0));
        emit(released, new TaskClaimedEvent(released, "acme", "agent-3", "PLAN", 1, "jti-r", t0.plusSeconds(7200),
                t0.plusSeconds(900), t0.plusSeconds(80)));
        String releasedToken = tokens.token("agent-3", released, "PLAN", 1);
        snapshot(releasedToken).expectStatus().isOk();
        long releasedAt = emit(released, new TaskReleasedEvent(released, "acme", "agent-3", t0.plusSeconds(90)));
        getTask(released, releasedAt, TestIdentities.acme()).expectStatus().isOk();
        assertRefused(releasedToken, "not_claimed");

        // tampered: the payload changed (generation 2 -> 3), the signature kept
        String valid = tokens.token("agent-1", task, "REVIEW", 2);
        String[] parts = valid.split("\\.");
        String payload = new Base64URL(parts[1]).decodeToString().replace("\"gen\":2", "\"gen\":3");
        assertThat(payload).contains("\"gen\":3");
        assertRefused(parts[0] + "." + Base64URL.encode(payload) + "." + parts[2], "bad_signature");
        // a user token (typ JWT), signed with the very key that signs phase tokens
        assertRefused(TestPhaseTokens.sign(tokens.signingKey(), tokens.signingKey().getKeyID(), JOSEObjectType.JWT,
                TestPhaseTokens.claims("agent-1", task, "REVIEW", 2, Instant.now())), "wrong_type");
        // expired
        assertRefused(TestPhaseTokens.sign(tokens.signingKey(), tokens.signingKey().getKeyID(), PhaseTokens.TYPE,
                TestPhaseTokens.claims("agent-1", task, "REVIEW", 2, Instant.now().minus(Duration.ofHours(3)))),
                "expired");
        assertRefused("not-a-token", "malformed");

        // unknown kids: refused, and a flood of random ones fetches the key set at most once (once per 30 s)
        ECKey stranger = TestPhaseTokens.ecKey(Curve.P_256, "stranger");
        int fetchesBefore = tokens.requests();
        for (int i = 0; i < 25; i++) {
            assertRefused(TestPhaseTokens.sign(stranger, "random-" + UUID.randomUUID(), PhaseTokens.TYPE,
                    TestPhaseTokens.claims("agent-1", task, "REVIEW", 2, Instant.now())), "unknown_key");
        }
        assertThat(tokens.requests() - fetchesBefore).isLessThanOrEqualTo(1);
        assertThat(tokens.requestUris()).allMatch(TestPhaseTokens.PATH::equals);
        // and the real key still works
        snapshot(tokens.token("agent-1", task, "REVIEW", 2)).expectStatus().isOk();

        // no or another kind of credential
        for (String authorization : new String[]{null, "", "Bearer", "Bearer ", "Basic YWxpY2U6c2VjcmV0"}) {
            WebTestClient.RequestHeadersSpec<?> request = http.get().uri("/api/v1/state/snapshot")
                    .header(InternalTokens.HEADER, agentGateway());
            if (authorization != null) {
                request = request.header(HttpHeaders.AUTHORIZATION, authorization);
            }
            JsonNode problem = problem(request, null, 401, "invalid_phase_token");
            assertThat(problem.path("reason").asString()).as(String.valueOf(authorization)).isEqualTo("missing_token");
        }
        // the service refuses requests that did not pass the gateway
        JsonNode direct = json(http.get().uri("/api/v1/state/snapshot")
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + tokens.token("agent-1", task, "REVIEW", 2))
                .exchange().expectStatus().isUnauthorized().expectBody(String.class).returnResult());
        assertThat(direct.path("code").asString()).isEqualTo("unauthenticated");
    }

    /** Runs late: it stops the {@code tasks} processor for a moment. */
    @Test
    @Order(Integer.MAX_VALUE - 1)
    void theSnapshotWaitsForATaskProjectionThatIsBehindTheToken() throws Exception {
        String wf = "wf-" + suffix();
        String task = "behind-" + suffix();
        emit(task, created(task, "acme", "behind", wf, List.of(), List.of(), 0));
        long claimed = emit(task, new TaskClaimedEvent(task, "acme", "agent-1", "PLAN", 1, "jti-1",
                t0.plusSeconds(7200), t0.plusSeconds(900), t0));
        getTask(task, claimed, TestIdentities.acme()).expectStatus().isOk();
        TestPhaseTokens tokens = TestPhaseTokens.shared();
        snapshot(tokens.token("agent-1", task, "PLAN", 1)).expectStatus().isOk();

        StreamingEventProcessor tasks = processor(TaskProjection.GROUP);
        tasks.shutDown();
        try {
            emit(task, transitioned(task, wf, "PLAN", "REVIEW", 2));
            String newer = tokens.token("agent-1", task, "REVIEW", 2);
            CompletableFuture<JsonNode> answer = CompletableFuture.supplyAsync(() -> json(snapshot(newer)
                    .expectStatus().isOk().expectBody(String.class).returnResult()));
            Thread.sleep(300);
            assertThat(answer).isNotDone();
            tasks.start();
            JsonNode snapshot = answer.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(snapshot.path("task").path("phase").asString()).isEqualTo("REVIEW");
        } finally {
            if (!tasks.isRunning()) {
                tasks.start();
            }
        }
        awaitCaughtUp(tasks, lastIndex());
        // the old token is superseded now
        assertRefused(tokens.token("agent-1", task, "PLAN", 1), "superseded");
    }

    /** Runs last: it resets every processor. */
    @Test
    @Order(Integer.MAX_VALUE)
    void resettingAProjectionClearsItsTablesAndRebuildsThem() {
        String wf = "wf-" + suffix();
        publish("acme", wf, 1);
        String task = "reset-" + suffix();
        emit(task, created(task, "acme", "reset", wf, List.of("x"), List.of("java"), 0));
        emit(task, new TaskClaimedEvent(task, "acme", "agent-1", "PLAN", 1, "jti", t0.plusSeconds(7200),
                t0.plusSeconds(900), t0));
        emit(task, new TaskTransitionRejectedEvent(task, "acme", "agent-1", wf, 1, "PLAN", "REVIEW", List.of(),
                List.of(TransitionBlocker.of("missing_artifact", "plan")), t0.plusSeconds(1)));
        emit(task, new ReviewsRequestedEvent(task, "acme", "PLAN", 1, 1, "reviewer", t0.plusSeconds(2)));
        emit(task, new ReviewSubmittedEvent(task, "acme", "PLAN", 1, "rev-" + task, "bob", "approve", null,
                t0.plusSeconds(3)));
        emit(task, decided(task, "acme", "agent-1", wf, "call-" + task, "read_file", "denied", "tool_not_allowed",
                List.of()));
        emit(task, approvalRequested(task, "acme", "agent-1", "ap-" + task, "call-x-" + task));
        long last = emit(task, new ToolCallOutcomeReportedEvent(task, "acme", "agent-1", "call-" + task,
                "read_file", "agent", "failed", "nope", t0.plusSeconds(9)));
        awaitAllCaughtUp(last);
        Map<String, List<String>> before = dumpAll();
        for (String table : TABLES.values().stream().flatMap(List::stream).toList()) {
            assertThat(before.get(table)).as(table).isNotEmpty();
        }

        // rows no event produced, in every table: a reset must remove them
        Timestamp now = Timestamp.from(Instant.now());
        jdbc.update("""
                INSERT INTO tasks (task_id, org_id, project_id, title, description, status, phase, workflow_id,
                                   workflow_version, depends_on, required_capabilities, priority, created_by,
                                   created_at, updated_at, created_position, position)
                VALUES ('junk', 'acme', 'junk', 'junk', NULL, 'created', 'PLAN', 'wf', 1, '[]', '[]', 0, 'x', ?, ?, 0, 0)""",
                now, now);
        jdbc.update("INSERT INTO task_dependencies (task_id, depends_on_id, org_id, ordinal) VALUES ('junk', 'j', 'acme', 0)");
        jdbc.update("INSERT INTO task_capabilities (task_id, capability) VALUES ('junk', 'j')");
        jdbc.update("""
                INSERT INTO task_review_rounds (task_id, round, org_id, phase, requested_count, role, requested_at,
                                                position) VALUES ('junk', 1, 'acme', 'P', 1, 'r', ?, 0)""", now);
        jdbc.update("""
                INSERT INTO task_reviews (review_id, task_id, org_id, round, phase, reviewer_id, verdict, comments,
                                          submitted_at, position) VALUES ('junk', 'junk', 'acme', 1, 'P', 'b', 'approve', NULL, ?, 0)""",
                now);
        jdbc.update("""
                INSERT INTO tool_approvals (approval_id, task_id, org_id, agent_id, phase, call_id, tool_name,
                                            args_digest, args_summary, status, requested_at, position)
                VALUES ('junk', 'junk', 'acme', 'a', 'P', NULL, 't', NULL, '{}', 'pending', ?, 0)""", now);
        jdbc.update("""
                INSERT INTO tool_calls (call_id, task_id, org_id, agent_id, workflow_id, workflow_version, phase,
                                        tool_name, args_digest, args_summary, decision, code, reason, approval_id,
                                        warnings, decided_at, position)
                VALUES ('junk', 'junk', 'acme', 'a', 'wf', 1, 'P', 't', NULL, '{}', 'allowed', NULL, NULL, NULL, '[]', ?, -5)""",
                now);
        jdbc.update("""
                INSERT INTO workflow_metrics (org_id, workflow_id, transitions_attempted, transitions_rejected,
                                              tool_calls, tool_calls_denied, tool_calls_warned, tool_violations,
                                              approvals_requested, position) VALUES ('acme', 'junk', 1, 1, 1, 1, 1, 1, 1, 0)""");
        jdbc.update("INSERT INTO workflow_gate_blocks (org_id, workflow_id, code, blocks) VALUES ('acme', 'junk', 'j', 1)");
        jdbc.update("INSERT INTO workflow_metrics_tasks (task_id, org_id, workflow_id) VALUES ('junk', 'acme', 'junk')");
        jdbc.update("UPDATE workflow_metrics SET tool_calls = 999 WHERE workflow_id = ?", wf);
        assertThat(dumpAll()).isNotEqualTo(before);

        for (String group : TABLES.keySet()) {
            StreamingEventProcessor processor = processor(group);
            processor.shutDown();
            processor.resetTokens();
            processor.start();
            awaitCaughtUp(processor, last);
        }
        assertThat(dumpAll()).isEqualTo(before);
        JsonNode metrics = get("/api/v1/workflows/" + wf + "/metrics", TestIdentities.acme());
        assertThat(metrics.path("tool_calls").asLong()).isEqualTo(1);
        assertThat(metrics.path("tool_violations").asLong()).isEqualTo(1);
        problem(http.get().uri("/api/v1/workflows/junk/metrics"), TestIdentities.acme(), 404, "workflow_not_found");
    }

    // ------------------------------------------------------------------------------------------------------------

    long publish(String orgId, String workflowId, int version) {
        String key = WorkflowKeys.of(orgId, workflowId);
        return emit("Workflow", key, new WorkflowPublishedEvent(key, orgId, workflowId, version,
                workflow(workflowId, version), "workflow: " + workflowId, "alice", t0));
    }

    /** PLAN (read_file, search_code) → REVIEW (read_file, write_file on docs/**, deploy_preview with approval) → COMPLETE. */
    static WorkflowDefinition workflow(String id, int version) {
        return new WorkflowDefinition(id, version, WorkflowDefinition.Enforcement.STRICT, 7200, 900,
                List.of(new PhaseDefinition("PLAN", false, new PhaseDefinition.ToolPolicy(
                                List.of("read_file", "search_code"), Map.of(), List.of()), null),
                        new PhaseDefinition("REVIEW", false, new PhaseDefinition.ToolPolicy(
                                List.of("read_file", "write_file"), Map.of("write_file", Map.of("path", List.of("docs/**"))),
                                List.of("deploy_preview")),
                                new PhaseDefinition.OnEnter(new PhaseDefinition.RequestReviews(1, "reviewer"))),
                        new PhaseDefinition("COMPLETE", true, null, null)),
                List.of(new TransitionDefinition("PLAN", "REVIEW", List.of("plan"), List.of()),
                        new TransitionDefinition("REVIEW", "COMPLETE", List.of("review"), List.of("reviews_approved"))),
                Map.of(), Map.of());
    }

    TaskCreatedEvent created(String taskId, String org, String project, String workflowId, List<String> dependsOn,
                             List<String> capabilities, int priority) {
        return new TaskCreatedEvent(taskId, org, project, "Task " + taskId, null, workflowId, 1, "PLAN", dependsOn,
                capabilities, priority, "alice", t0);
    }

    TaskTransitionedEvent transitioned(String taskId, String workflowId, String from, String to, long generation) {
        return new TaskTransitionedEvent(taskId, "acme", "agent-1", workflowId, 1, from, to, Map.of(), List.of(),
                generation, "jti-" + generation, t0.plusSeconds(7200), t0.plusSeconds(generation));
    }

    ToolCallDecidedEvent decided(String taskId, String org, String agentId, String workflowId, String callId,
                                 String tool, String decision, String code, List<String> warnings) {
        return new ToolCallDecidedEvent(taskId, org, agentId, workflowId, 1, "PLAN", callId, tool,
                "sha256:" + callId, Map.of("path", "README.md"), decision, code, code == null ? null : "because",
                "approval_required".equals(decision) ? "ap-" + callId : null, warnings, t0.plusSeconds(1));
    }

    ToolApprovalRequestedEvent approvalRequested(String taskId, String org, String agentId, String approvalId,
                                                 String callId) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("env", "preview");
        summary.put("api_key", "***");
        return new ToolApprovalRequestedEvent(taskId, org, agentId, "REVIEW", approvalId, callId, "deploy_preview",
                "sha256:abc", summary, t0.plusSeconds(6));
    }

    JsonNode task(String taskId, long minPosition) {
        return json(getTask(taskId, minPosition, TestIdentities.acme())
                .expectStatus().isOk().expectBody(String.class).returnResult());
    }

    JsonNode get(String uri, String identity) {
        return json(http.get().uri(uri).header(InternalTokens.HEADER, identity)
                .exchange().expectStatus().isOk().expectBody(String.class).returnResult());
    }

    List<String> claimable(String query) {
        return claimable(query, TestIdentities.acme());
    }

    List<String> claimable(String query, String identity) {
        return ids(get("/api/v1/tasks/claimable?" + query, identity));
    }

    /** A problem document with {@code status} (and {@code code} unless null); never a stack trace. */
    JsonNode problem(WebTestClient.RequestHeadersSpec<?> request, String identity, int status, String code) {
        if (identity != null) {
            request = request.header(InternalTokens.HEADER, identity);
        }
        EntityExchangeResult<String> result = request.exchange()
                .expectStatus().isEqualTo(status)
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody(String.class).returnResult();
        assertThat(result.getResponseBody()).doesNotContain("Exception").doesNotContain("\tat ");
        JsonNode problem = json(result);
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        if (code != null) {
            assertThat(problem.path("code").asString()).isEqualTo(code);
        }
        return problem;
    }

    WebTestClient.ResponseSpec snapshot(String phaseToken) {
        return http.get().uri("/api/v1/state/snapshot")
                .header(InternalTokens.HEADER, agentGateway())
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + phaseToken)
                .exchange();
    }

    void assertRefused(String phaseToken, String reason) {
        JsonNode problem = json(snapshot(phaseToken)
                .expectStatus().isUnauthorized()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectHeader().valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                .expectBody(String.class).returnResult());
        assertThat(problem.path("code").asString()).isEqualTo("invalid_phase_token");
        assertThat(problem.path("reason").asString()).isEqualTo(reason);
        assertThat(problem.path("detail").asString()).doesNotContain(phaseToken);
    }

    /**
     * The internal identity the gateway forwards for agent endpoints (the phase-token bearer), signed with the test
     * JVM's internal key, which {@link TestIdentities} keeps beside its public key file.
     */
    static String agentGateway() {
        ECKey key = JwkFiles.loadOrCreateSigningKey(
                TestIdentities.PUBLIC_KEYS_FILE.getParent().resolve("internal-signing.json"), "internal", false);
        return new InternalTokenIssuer(key, Duration.ofMinutes(10), Clock.systemUTC())
                .issue(CallerIdentity.phaseTokenBearer());
    }

    long generation(String taskId) {
        return jdbc.queryForObject("SELECT token_generation FROM tasks WHERE task_id = ?", Long.class, taskId);
    }

    static List<String> dependencies(JsonNode task) {
        List<String> values = new ArrayList<>();
        task.path("dependencies").forEach(d -> values.add(d.path("task_id").asString() + "|"
                + (d.path("title").isNull() ? "null" : d.path("title").asString()) + "|" + d.path("status").asString()));
        return values;
    }

    static List<String> tools(JsonNode task) {
        List<String> values = new ArrayList<>();
        task.path("allowed_tools").forEach(t -> values.add(t.path("name").asString() + "|"
                + t.path("approval_required").asBoolean()));
        return values;
    }

    static List<String> callIds(JsonNode page) {
        List<String> values = new ArrayList<>();
        page.path("items").forEach(item -> values.add(item.path("call_id").asString()));
        return values;
    }

    void awaitAllCaughtUp(long position) {
        for (String group : GROUPS) {
            awaitCaughtUp(processor(group), position);
        }
    }

    /** Every row of every table of the agent workflow read models, as text. */
    Map<String, List<String>> dumpAll() {
        Map<String, List<String>> dump = new LinkedHashMap<>();
        for (List<String> tables : TABLES.values()) {
            for (String table : tables) {
                List<String> rows = new ArrayList<>();
                for (Map<String, Object> row : jdbc.queryForList("SELECT * FROM " + table)) {
                    Map<String, String> normalised = new java.util.TreeMap<>();
                    row.forEach((column, value) -> normalised.put(column.toLowerCase(), value instanceof Timestamp ts
                            ? ts.toInstant().toString() : String.valueOf(value)));
                    rows.add(normalised.toString());
                }
                rows.sort(String::compareTo);
                dump.put(table, rows);
            }
        }
        return dump;
    }
}
