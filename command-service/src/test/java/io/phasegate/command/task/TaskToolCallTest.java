package io.phasegate.command.task;

import static io.phasegate.command.Rejections.rejection;
import static io.phasegate.command.task.TaskTestSupport.AGENT;
import static io.phasegate.command.task.TaskTestSupport.NOW;
import static io.phasegate.command.task.TaskTestSupport.ORG;
import static io.phasegate.command.task.TaskTestSupport.PERMISSIVE;
import static io.phasegate.command.task.TaskTestSupport.STRICT;
import static io.phasegate.command.task.TaskTestSupport.TASK;
import static io.phasegate.command.task.TaskTestSupport.event;
import static io.phasegate.command.task.TaskTestSupport.exactly;
import static io.phasegate.command.task.TaskTestSupport.generationIn;
import static io.phasegate.command.task.TaskTestSupport.given;
import static io.phasegate.command.task.TaskTestSupport.inPhase;
import static io.phasegate.command.task.TaskTestSupport.result;
import static io.phasegate.command.task.TaskTestSupport.transitioned;
import static org.assertj.core.api.Assertions.assertThat;

import io.phasegate.command.tool.ToolArguments;
import io.phasegate.events.task.TaskCancelledEvent;
import io.phasegate.events.task.TaskCompletedEvent;
import io.phasegate.events.task.TaskReleasedEvent;
import io.phasegate.events.tool.AuthorizeToolCallCommand;
import io.phasegate.events.tool.DecideToolApprovalCommand;
import io.phasegate.events.tool.ReportToolOutcomeCommand;
import io.phasegate.events.tool.ToolApprovalDeniedEvent;
import io.phasegate.events.tool.ToolApprovalGrantedEvent;
import io.phasegate.events.tool.ToolApprovalRequestedEvent;
import io.phasegate.events.tool.ToolCallDecidedEvent;
import io.phasegate.events.tool.ToolCallOutcomeReportedEvent;
import io.phasegate.events.tool.ToolDecision;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Tool-call authorisation, approvals and outcome reports (SPEC §2.1, §2.4). */
class TaskToolCallTest {

    private static final Map<String, Object> DEPLOY_ARGS = Map.of("environment", "preview", "ref", "main");
    private static final String APPROVAL = "approval-1";

    private AggregateTestFixture<Task> fixture;

    @BeforeEach
    void setUp() {
        fixture = new TaskTestSupport().fixture;
    }

    // ------------------------------------------------------------------------------------------ allowed tools

    @Test
    void anAllowedToolIsAllowedAndTheDecisionRecorded() {
        Map<String, Object> args = Map.of("path", "src/Main.java");
        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase("PLAN"))
                .when(call(1, "PLAN", "call-1", "read_file", args))
                .expectSuccessfulHandlerExecution()
                .expectEvents(new ToolCallDecidedEvent(TASK, ORG, AGENT, "tdd-default", 1, "PLAN", "call-1",
                        "read_file", ToolArguments.digest(args), ToolArguments.summary(args), "allowed", null, null,
                        null, List.of(), NOW))
                .expectResultMessagePayload(new ToolDecision("call-1", "allowed", null, null, null, List.of()));
    }

    @Test
    void aToolThePhaseDoesNotListIsDeniedAndTheDenialRecorded() {
        Map<String, Object> args = Map.of("path", "tests/ExportTest.java", "content", "class ExportTest {}");
        AtomicReference<ToolDecision> decision = new AtomicReference<>();
        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase("PLAN"))
                .when(call(1, "PLAN", "call-1", "write_file", args))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(decided("call-1", "write_file", "denied", "tool_not_allowed")))
                .expectResultMessagePayloadMatching(result(ToolDecision.class, decision,
                        d -> d.callId().equals("call-1") && d.decision().equals("denied")
                                && d.code().equals("tool_not_allowed") && d.approvalId() == null));
        assertThat(decision.get().reason()).contains("write_file").contains("PLAN");
        assertThat(decision.get().allowed()).isFalse();
    }

    @Test
    void aMissingCallIdGetsOne() {
        AtomicReference<ToolDecision> decision = new AtomicReference<>();
        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase("PLAN"))
                .when(call(1, "PLAN", null, "search_code", Map.of("query", "export")))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(event(ToolCallDecidedEvent.class, "with a call id",
                        e -> e.callId() != null && !e.callId().isBlank())))
                .expectResultMessagePayloadMatching(result(ToolDecision.class, decision, ToolDecision::allowed));
        assertThat(decision.get().callId()).isNotBlank();
    }

    // -------------------------------------------------------------------------------------------- constraints

    @Test
    void tddWritesOnlyTests() {
        assertTdd("write_file", Map.of("path", "tests/ExportTest.java"), "allowed", null);
        assertTdd("write_file", Map.of("path", "tests/deep/nested/fixtures.json"), "allowed", null);
        assertTdd("write_file", Map.of("path", "src/main/java/ExportTest.java"), "allowed", null);
        assertTdd("write_file", Map.of("path", "ExportTest.java"), "allowed", null); // **/ matches the root
        assertTdd("write_file", Map.of("path", "./tests/ExportTest.java"), "allowed", null);
        assertTdd("write_file", Map.of("path", "src/main/java/Export.java"), "denied", "constraint_violated");
        assertTdd("write_file", Map.of("path", "testsuite/Export.java"), "denied", "constraint_violated");
        assertTdd("read_file", Map.of("path", "src/main/java/Export.java"), "allowed", null); // no constraint
    }

    @Test
    void pathsThatEscapeTheirDirectoryNeverMatch() {
        String secretish = "tests/../src/main/java/Export.java";
        ToolDecision decision = assertTdd("write_file", Map.of("path", secretish), "denied", "constraint_violated");
        assertThat(decision.reason()).contains("'path'").contains("..").doesNotContain(secretish)
                .doesNotContain("src/main/java/Export.java");
        assertTdd("write_file", Map.of("path", "../tests/ExportTest.java"), "denied", "constraint_violated");
        assertTdd("write_file", Map.of("path", "/abs/tests/ExportTest.java"), "denied", "constraint_violated");
        assertTdd("write_file", Map.of("path", "tests\\ExportTest.java"), "denied", "constraint_violated");
        assertTdd("write_file", Map.of("path", "tests//ExportTest.java"), "denied", "constraint_violated");
    }

    @Test
    void aConstrainedArgumentMustBePresentAndAStringOrStrings() {
        assertTdd("write_file", Map.of("content", "x"), "denied", "constraint_violated");
        assertTdd("write_file", Map.of("path", 42), "denied", "constraint_violated");
        assertTdd("write_file", Map.of("path", List.of("tests/A.java", "tests/B.java")), "allowed", null);
        ToolDecision decision = assertTdd("write_file", Map.of("path", List.of("tests/A.java", "src/B.java")),
                "denied", "constraint_violated");
        assertThat(decision.reason()).contains("path[1]").doesNotContain("src/B.java");
        assertTdd("write_file", Map.of("path", List.of()), "denied", "constraint_violated");
    }

    @Test
    void permissiveEnforcementAllowsViolationsWithWarnings() {
        AtomicReference<ToolDecision> decision = new AtomicReference<>();
        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase(PERMISSIVE, "TDD"))
                .when(call(generationIn("TDD"), "TDD", "call-1", "write_file", Map.of("path", "src/Export.java")))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(event(ToolCallDecidedEvent.class, "allowed with a warning",
                        e -> e.decision().equals("allowed") && e.code() == null && e.workflowId().equals("tdd-permissive")
                                && e.warnings().size() == 1
                                && e.warnings().get(0).startsWith("constraint_violated: argument 'path'"))))
                .expectResultMessagePayloadMatching(result(ToolDecision.class, decision, ToolDecision::allowed));
        assertThat(decision.get().warnings()).hasSize(1);

        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase(PERMISSIVE, "PLAN"))
                .when(call(1, "PLAN", "call-2", "run_shell", Map.of("cmd", "make")))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(event(ToolCallDecidedEvent.class, "allowed with a warning",
                        e -> e.decision().equals("allowed")
                                && e.warnings().equals(List.of("tool_not_allowed: tool 'run_shell' is not allowed in phase PLAN")))));
    }

    // -------------------------------------------------------------------------------------- digest and summary

    @Test
    void theDecisionCarriesTheDigestAndARedactedSummaryNeverTheRawArguments() {
        String apiKey = "sk-live-0123456789abcdefghijklmnop";
        String jwt = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhZ2VudCJ9.c2lnbmF0dXJlc2lnbmF0dXJl";
        Map<String, Object> args = Map.of("path", "src/Main.java", "api_key", apiKey, "header", "Bearer " + jwt,
                "content", "x".repeat(500));
        // the task computes the digest and the redacted summary itself from the arguments
        AuthorizeToolCallCommand command = new AuthorizeToolCallCommand(TASK, AGENT, 1, "PLAN", "call-1", "read_file",
                args);
        AtomicReference<ToolCallDecidedEvent> recorded = new AtomicReference<>();
        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase("PLAN"))
                .when(command)
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(event(ToolCallDecidedEvent.class, "with digest and summary", e -> {
                    recorded.set(e);
                    return true;
                })));
        ToolCallDecidedEvent event = recorded.get();
        assertThat(event.argsDigest()).isEqualTo(ToolArguments.digest(args)).startsWith("sha256:");
        assertThat(event.argsSummary()).containsEntry("api_key", ToolArguments.REDACTED)
                .containsEntry("header", ToolArguments.REDACTED)
                .containsEntry("path", "src/Main.java")
                .containsEntry("content", "x".repeat(200) + "…(+300 chars)");
        assertThat(event.toString()).doesNotContain(apiKey).doesNotContain(jwt).doesNotContain("x".repeat(201));
    }

    // ---------------------------------------------------------------------------------------- token and claim

    @Test
    void onlyTheClaimantWithTheCurrentTokenOfTheCurrentPhaseMayCall() {
        Map<String, Object> args = Map.of("path", "a");
        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase("TDD"))
                .when(call(generationIn("TDD"), "PLAN", "call-1", "read_file", args))
                .expectNoEvents()
                .expectExceptionDetails(rejection("token_superseded", 401, Map.of()));
        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase("TDD"))
                .when(call(1, "TDD", "call-1", "read_file", args))
                .expectNoEvents()
                .expectExceptionDetails(rejection("token_superseded", 401, Map.of()));
        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase("TDD"))
                .when(new AuthorizeToolCallCommand(TASK, "agent-other", generationIn("TDD"), "TDD", "call-1",
                        "read_file", args))
                .expectNoEvents()
                .expectExceptionDetails(rejection("not_claimant", 401, Map.of()));
        fixture.givenCurrentTime(NOW)
                .andGiven(given(inPhase("TDD"), new TaskReleasedEvent(TASK, ORG, AGENT, NOW)))
                .when(call(generationIn("TDD"), "TDD", "call-1", "read_file", args))
                .expectNoEvents()
                .expectExceptionDetails(rejection("not_claimant", 401, Map.of()));
        fixture.givenCurrentTime(NOW)
                .andGiven(given(inPhase("REVIEW"), transitioned(STRICT, "REVIEW", "COMPLETE", 5),
                        new TaskCompletedEvent(TASK, ORG, AGENT, "tdd-default", "COMPLETE", NOW)))
                .when(call(5, "COMPLETE", "call-1", "read_file", args))
                .expectNoEvents()
                .expectExceptionDetails(rejection("not_claimant", 401, Map.of()));
    }

    // ---------------------------------------------------------------------------------------------- approvals

    @Test
    void anApprovalRequiredToolRequestsAnApprovalFirst() {
        AtomicReference<ToolApprovalRequestedEvent> requested = new AtomicReference<>();
        AtomicReference<ToolDecision> decision = new AtomicReference<>();
        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase("REVIEW"))
                .when(deploy("call-1"))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(
                        event(ToolApprovalRequestedEvent.class, "for deploy_preview with these arguments", e -> {
                            requested.set(e);
                            return e.taskId().equals(TASK) && e.orgId().equals(ORG) && e.agentId().equals(AGENT)
                                    && e.phase().equals("REVIEW") && e.callId().equals("call-1")
                                    && e.toolName().equals("deploy_preview")
                                    && e.argsDigest().equals(ToolArguments.digest(DEPLOY_ARGS))
                                    && e.argsSummary().equals(ToolArguments.summary(DEPLOY_ARGS))
                                    && e.requestedAt().equals(NOW) && !e.approvalId().isBlank();
                        }),
                        event(ToolCallDecidedEvent.class, "approval_required", e -> e.decision().equals("approval_required")
                                && e.code().equals("approval_required") && e.approvalId() != null)))
                .expectResultMessagePayloadMatching(result(ToolDecision.class, decision,
                        d -> d.decision().equals("approval_required") && d.code().equals("approval_required")));
        assertThat(decision.get().approvalId()).isEqualTo(requested.get().approvalId());
    }

    @Test
    void aPendingApprovalIsNotRequestedAgain() {
        fixture.givenCurrentTime(NOW)
                .andGiven(given(inPhase("REVIEW"), approvalRequested(APPROVAL, DEPLOY_ARGS)))
                .when(deploy("call-2"))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(decided("call-2", "deploy_preview", "approval_required",
                        "approval_required", APPROVAL)))
                .expectResultMessagePayloadMatching(result(ToolDecision.class,
                        d -> d.decision().equals("approval_required") && APPROVAL.equals(d.approvalId())));
    }

    @Test
    void anApprovalCoversOnlyTheArgumentsItWasRequestedFor() {
        fixture.givenCurrentTime(NOW)
                .andGiven(given(inPhase("REVIEW"), approvalRequested(APPROVAL, DEPLOY_ARGS), granted(APPROVAL)))
                .when(call(generationIn("REVIEW"), "REVIEW", "call-2", "deploy_preview",
                        Map.of("environment", "production", "ref", "main")))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(
                        event(ToolApprovalRequestedEvent.class, "a new approval",
                                e -> !e.approvalId().equals(APPROVAL)),
                        event(ToolCallDecidedEvent.class, "approval_required",
                                e -> e.decision().equals("approval_required") && !APPROVAL.equals(e.approvalId()))));
    }

    @Test
    void aGrantedApprovalAllowsTheCallOnce() {
        List<Object> grantedOnce = given(inPhase("REVIEW"), approvalRequested(APPROVAL, DEPLOY_ARGS), granted(APPROVAL));
        fixture.givenCurrentTime(NOW)
                .andGiven(grantedOnce)
                .when(deploy("call-2"))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(decided("call-2", "deploy_preview", "allowed", null, APPROVAL)))
                .expectResultMessagePayload(new ToolDecision("call-2", "allowed", null, null, APPROVAL, List.of()));

        // the approval was used up: the next identical call needs a new one
        fixture.givenCurrentTime(NOW)
                .andGiven(given(grantedOnce, decidedEvent("call-2", "deploy_preview", "allowed", APPROVAL)))
                .when(deploy("call-3"))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(
                        event(ToolApprovalRequestedEvent.class, "a new approval",
                                e -> !e.approvalId().equals(APPROVAL) && e.callId().equals("call-3")),
                        event(ToolCallDecidedEvent.class, "approval_required",
                                e -> e.decision().equals("approval_required") && !APPROVAL.equals(e.approvalId()))));
    }

    @Test
    void aDeniedApprovalStaysDenied() {
        fixture.givenCurrentTime(NOW)
                .andGiven(given(inPhase("REVIEW"), approvalRequested(APPROVAL, DEPLOY_ARGS),
                        new ToolApprovalDeniedEvent(TASK, ORG, APPROVAL, "ada", "not today", NOW)))
                .when(deploy("call-2"))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(decided("call-2", "deploy_preview", "denied", "approval_denied",
                        APPROVAL)))
                .expectResultMessagePayloadMatching(result(ToolDecision.class,
                        d -> d.decision().equals("denied") && d.code().equals("approval_denied")));
    }

    @Test
    void approvalsAreRequiredInPermissiveWorkflowsToo() {
        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase(PERMISSIVE, "REVIEW"))
                .when(deploy("call-1"))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(
                        event(ToolApprovalRequestedEvent.class, "an approval", e -> e.callId().equals("call-1")),
                        event(ToolCallDecidedEvent.class, "approval_required",
                                e -> e.decision().equals("approval_required"))));
    }

    @Test
    void anAdminGrantsOrDeniesAPendingApproval() {
        fixture.givenCurrentTime(NOW)
                .andGiven(given(inPhase("REVIEW"), approvalRequested(APPROVAL, DEPLOY_ARGS)))
                .when(decide(APPROVAL, true, "ada", Set.of("admin")))
                .expectSuccessfulHandlerExecution()
                .expectEvents(new ToolApprovalGrantedEvent(TASK, ORG, APPROVAL, "ada", "fine", NOW));
        fixture.givenCurrentTime(NOW)
                .andGiven(given(inPhase("REVIEW"), approvalRequested(APPROVAL, DEPLOY_ARGS)))
                .when(decide(APPROVAL, false, "ada", Set.of("admin", "developer")))
                .expectSuccessfulHandlerExecution()
                .expectEvents(new ToolApprovalDeniedEvent(TASK, ORG, APPROVAL, "ada", "fine", NOW));
    }

    @Test
    void approvalDecisionsAreGuarded() {
        List<Object> pending = given(inPhase("REVIEW"), approvalRequested(APPROVAL, DEPLOY_ARGS));
        fixture.givenCurrentTime(NOW).andGiven(pending)
                .when(new DecideToolApprovalCommand(TASK, "org-other", APPROVAL, true, "ada", Set.of("admin"), null))
                .expectNoEvents()
                .expectExceptionDetails(rejection("task_not_found", 404, Map.of()));
        fixture.givenCurrentTime(NOW).andGiven(pending)
                .when(decide("approval-unknown", true, "ada", Set.of("admin")))
                .expectNoEvents()
                .expectExceptionDetails(rejection("approval_not_found", 404, Map.of()));
        fixture.givenCurrentTime(NOW).andGiven(given(pending, granted(APPROVAL)))
                .when(decide(APPROVAL, false, "ada", Set.of("admin")))
                .expectNoEvents()
                .expectExceptionDetails(rejection("approval_already_decided", 409, Map.of()));
        fixture.givenCurrentTime(NOW).andGiven(pending)
                .when(decide(APPROVAL, true, "dave", Set.of("developer", "reviewer")))
                .expectNoEvents()
                .expectExceptionDetails(rejection("approver_role_required", 403, Map.of()));
        fixture.givenCurrentTime(NOW).andGiven(pending)
                .when(decide(APPROVAL, true, AGENT, Set.of("admin")))
                .expectNoEvents()
                .expectExceptionDetails(rejection("self_approval", 403, Map.of()));
        fixture.givenCurrentTime(NOW)
                .andGiven(given(pending, new TaskCancelledEvent(TASK, ORG, "REVIEW", AGENT, null, "alice", NOW)))
                .when(decide(APPROVAL, true, "ada", Set.of("admin")))
                .expectNoEvents()
                .expectExceptionDetails(rejection("task_closed", 409, Map.of()));
    }

    @Test
    void theRequestingAgentCannotApproveEvenAfterItsClaimEnded() {
        fixture.givenCurrentTime(NOW)
                .andGiven(given(inPhase("REVIEW"), approvalRequested(APPROVAL, DEPLOY_ARGS),
                        new TaskReleasedEvent(TASK, ORG, AGENT, NOW)))
                .when(decide(APPROVAL, true, AGENT, Set.of("admin")))
                .expectNoEvents()
                .expectExceptionDetails(rejection("self_approval", 403, Map.of()));
    }

    // ----------------------------------------------------------------------------------------------- outcomes

    @Test
    void theAgentReportsTheOutcomeOfAnAllowedCallOnce() {
        List<Object> allowed = given(inPhase("PLAN"), decidedEvent("call-1", "read_file", "allowed", null));
        fixture.givenCurrentTime(NOW)
                .andGiven(allowed)
                .when(new ReportToolOutcomeCommand(TASK, AGENT, 1, "call-1", "agent", "succeeded", "read 20 lines"))
                .expectSuccessfulHandlerExecution()
                .expectEvents(new ToolCallOutcomeReportedEvent(TASK, ORG, AGENT, "call-1", "read_file", "agent",
                        "succeeded", "read 20 lines", NOW));
        fixture.givenCurrentTime(NOW)
                .andGiven(given(allowed, new ToolCallOutcomeReportedEvent(TASK, ORG, AGENT, "call-1", "read_file",
                        "agent", "succeeded", null, NOW)))
                .when(new ReportToolOutcomeCommand(TASK, AGENT, 1, "call-1", "agent", "failed", null))
                .expectNoEvents()
                .expectExceptionDetails(rejection("tool_call_not_found", 404, Map.of()));
    }

    @Test
    void outcomesMayArriveInALaterPhaseFromTheAgentOrTheExecutor() {
        List<Object> movedOn = given(inPhase("PLAN"), decidedEvent("call-1", "read_file", "allowed", null),
                transitioned(STRICT, "PLAN", "TDD", 2));
        fixture.givenCurrentTime(NOW)
                .andGiven(movedOn)
                .when(new ReportToolOutcomeCommand(TASK, AGENT, 2, "call-1", "agent", "failed", "file not found"))
                .expectSuccessfulHandlerExecution()
                .expectEvents(new ToolCallOutcomeReportedEvent(TASK, ORG, AGENT, "call-1", "read_file", "agent",
                        "failed", "file not found", NOW));
        fixture.givenCurrentTime(NOW)
                .andGiven(movedOn)
                .when(new ReportToolOutcomeCommand(TASK, AGENT, -1, "call-1", "executor", "succeeded", "executed"))
                .expectSuccessfulHandlerExecution()
                .expectEvents(new ToolCallOutcomeReportedEvent(TASK, ORG, AGENT, "call-1", "read_file", "executor",
                        "succeeded", "executed", NOW));
        // the agent needs its current token
        fixture.givenCurrentTime(NOW)
                .andGiven(movedOn)
                .when(new ReportToolOutcomeCommand(TASK, AGENT, 1, "call-1", "agent", "succeeded", null))
                .expectNoEvents()
                .expectExceptionDetails(rejection("token_superseded", 401, Map.of()));
    }

    @Test
    void onlyAllowedCallsWaitForAnOutcome() {
        List<Object> calls = given(inPhase("REVIEW"),
                decidedEvent("call-denied", "write_file", "denied", null),
                approvalRequested(APPROVAL, DEPLOY_ARGS),
                decidedEvent("call-waiting", "deploy_preview", "approval_required", APPROVAL),
                decidedEvent("call-ok", "read_file", "allowed", null));
        for (String callId : List.of("call-denied", "call-waiting", "call-unknown")) {
            fixture.givenCurrentTime(NOW)
                    .andGiven(calls)
                    .when(new ReportToolOutcomeCommand(TASK, AGENT, -1, callId, "executor", "succeeded", null))
                    .expectNoEvents()
                    .expectExceptionDetails(rejection("tool_call_not_found", 404, Map.of()));
        }
        fixture.givenCurrentTime(NOW)
                .andGiven(calls)
                .when(new ReportToolOutcomeCommand(TASK, AGENT, -1, "call-ok", "executor", "done", null))
                .expectNoEvents()
                .expectExceptionDetails(rejection("invalid_outcome_status", 400, Map.of()));
        fixture.givenCurrentTime(NOW)
                .andGiven(calls)
                .when(new ReportToolOutcomeCommand(TASK, AGENT, -1, "call-ok", "someone", "succeeded", null))
                .expectNoEvents()
                .expectExceptionDetails(rejection("invalid_outcome_source", 400, Map.of()));
    }

    @Test
    void anOutcomeSummaryIsRedactedAndShortened() {
        String jwt = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhZ2VudCJ9.c2lnbmF0dXJl";
        fixture.givenCurrentTime(NOW)
                .andGiven(given(inPhase("PLAN"), decidedEvent("call-1", "read_file", "allowed", null)))
                .when(new ReportToolOutcomeCommand(TASK, AGENT, -1, "call-1", "executor", "failed",
                        "401 for token " + jwt))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(event(ToolCallOutcomeReportedEvent.class, "with a redacted summary",
                        e -> ToolArguments.REDACTED.equals(e.summary()))));
    }

    @Test
    void onlyTheLastThousandAllowedCallsWaitForAnOutcome() {
        List<Object> events = new ArrayList<>(inPhase("PLAN"));
        for (int i = 0; i <= Task.MAX_OPEN_CALLS; i++) {
            events.add(decidedEvent("call-" + i, "read_file", "allowed", null));
        }
        fixture.givenCurrentTime(NOW)
                .andGiven(events)
                .when(new ReportToolOutcomeCommand(TASK, AGENT, -1, "call-0", "executor", "succeeded", null))
                .expectNoEvents()
                .expectExceptionDetails(rejection("tool_call_not_found", 404, Map.of()));
        fixture.givenCurrentTime(NOW)
                .andGiven(events)
                .when(new ReportToolOutcomeCommand(TASK, AGENT, -1, "call-1", "executor", "succeeded", null))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(event(ToolCallOutcomeReportedEvent.class, "call-1",
                        e -> e.callId().equals("call-1"))));
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** Authorises the call in TDD of the strict workflow and checks decision and code; answers the decision. */
    private ToolDecision assertTdd(String tool, Map<String, Object> args, String decision, String code) {
        AtomicReference<ToolDecision> answered = new AtomicReference<>();
        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase("TDD"))
                .when(call(generationIn("TDD"), "TDD", "call-x", tool, args))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(decided("call-x", tool, decision, code)))
                .expectResultMessagePayloadMatching(result(ToolDecision.class, answered,
                        d -> d.decision().equals(decision) && Objects.equals(d.code(), code)));
        return answered.get();
    }

    private static AuthorizeToolCallCommand call(long generation, String tokenPhase, String callId, String tool,
                                                 Map<String, Object> args) {
        return new AuthorizeToolCallCommand(TASK, AGENT, generation, tokenPhase, callId, tool, args);
    }

    private static AuthorizeToolCallCommand deploy(String callId) {
        return call(generationIn("REVIEW"), "REVIEW", callId, "deploy_preview", DEPLOY_ARGS);
    }

    private static DecideToolApprovalCommand decide(String approvalId, boolean grant, String decider,
                                                    Set<String> roles) {
        return new DecideToolApprovalCommand(TASK, ORG, approvalId, grant, decider, roles, "fine");
    }

    private static ToolApprovalRequestedEvent approvalRequested(String approvalId, Map<String, Object> args) {
        return new ToolApprovalRequestedEvent(TASK, ORG, AGENT, "REVIEW", approvalId, "call-0", "deploy_preview",
                ToolArguments.digest(args), ToolArguments.summary(args), NOW);
    }

    private static ToolApprovalGrantedEvent granted(String approvalId) {
        return new ToolApprovalGrantedEvent(TASK, ORG, approvalId, "ada", null, NOW);
    }

    private static ToolCallDecidedEvent decidedEvent(String callId, String tool, String decision, String approvalId) {
        return new ToolCallDecidedEvent(TASK, ORG, AGENT, "tdd-default", 1, "PLAN", callId, tool, "sha256:00",
                Map.of(), decision, null, null, approvalId, List.of(), NOW);
    }

    private static TaskTestSupport.Expected<ToolCallDecidedEvent> decided(String callId, String tool, String decision,
                                                                          String code) {
        return event(ToolCallDecidedEvent.class, callId + " " + tool + " " + decision + " " + code,
                e -> e.taskId().equals(TASK) && e.orgId().equals(ORG) && e.agentId().equals(AGENT)
                        && e.callId().equals(callId) && e.toolName().equals(tool) && e.decision().equals(decision)
                        && Objects.equals(e.code(), code) && e.argsDigest().startsWith("sha256:")
                        && (code == null) == (e.reason() == null) && e.warnings().isEmpty() && e.decidedAt().equals(NOW));
    }

    private static TaskTestSupport.Expected<ToolCallDecidedEvent> decided(String callId, String tool, String decision,
                                                                          String code, String approvalId) {
        TaskTestSupport.Expected<ToolCallDecidedEvent> base = decided(callId, tool, decision, code);
        return event(ToolCallDecidedEvent.class, base.description() + " approval " + approvalId,
                e -> base.check().test(e) && approvalId.equals(e.approvalId()));
    }
}
