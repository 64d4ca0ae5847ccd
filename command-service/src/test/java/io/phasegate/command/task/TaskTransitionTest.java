package io.phasegate.command.task;

import static io.phasegate.command.Rejections.rejection;
import static io.phasegate.command.task.TaskTestSupport.AGENT;
import static io.phasegate.command.task.TaskTestSupport.LEASE;
import static io.phasegate.command.task.TaskTestSupport.NOW;
import static io.phasegate.command.task.TaskTestSupport.ORG;
import static io.phasegate.command.task.TaskTestSupport.PERMISSIVE;
import static io.phasegate.command.task.TaskTestSupport.STRICT;
import static io.phasegate.command.task.TaskTestSupport.TASK;
import static io.phasegate.command.task.TaskTestSupport.TTL;
import static io.phasegate.command.task.TaskTestSupport.claim;
import static io.phasegate.command.task.TaskTestSupport.claimed;
import static io.phasegate.command.task.TaskTestSupport.created;
import static io.phasegate.command.task.TaskTestSupport.event;
import static io.phasegate.command.task.TaskTestSupport.exactly;
import static io.phasegate.command.task.TaskTestSupport.generationIn;
import static io.phasegate.command.task.TaskTestSupport.given;
import static io.phasegate.command.task.TaskTestSupport.implementation;
import static io.phasegate.command.task.TaskTestSupport.inPhase;
import static io.phasegate.command.task.TaskTestSupport.plan;
import static io.phasegate.command.task.TaskTestSupport.result;
import static io.phasegate.command.task.TaskTestSupport.review;
import static io.phasegate.command.task.TaskTestSupport.testResult;
import static io.phasegate.command.task.TaskTestSupport.tests;
import static io.phasegate.command.task.TaskTestSupport.transition;
import static io.phasegate.command.task.TaskTestSupport.transitioned;
import static org.assertj.core.api.Assertions.assertThat;

import io.phasegate.events.task.CancelTaskCommand;
import io.phasegate.events.task.PhaseTokenGrant;
import io.phasegate.events.task.PhaseTokenRefreshedEvent;
import io.phasegate.events.task.RefreshPhaseTokenCommand;
import io.phasegate.events.task.RenewTaskLeaseCommand;
import io.phasegate.events.task.ReviewsRequestedEvent;
import io.phasegate.events.task.SubmitReviewCommand;
import io.phasegate.events.task.TaskCancelledEvent;
import io.phasegate.events.task.TaskClaimExpiredEvent;
import io.phasegate.events.task.TaskCompletedEvent;
import io.phasegate.events.task.TaskLeaseRenewedEvent;
import io.phasegate.events.task.TaskTransitionRejectedEvent;
import io.phasegate.events.task.TaskTransitionedEvent;
import io.phasegate.events.task.TransitionBlocker;
import io.phasegate.events.task.TransitionOutcome;
import io.phasegate.events.task.TransitionTaskCommand;
import io.phasegate.platform.phasetoken.VerifiedPhaseToken;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Transitions, token refresh, cancellation and the lease across transitions (SPEC §2.2, §2.3). */
class TaskTransitionTest {

    private TaskTestSupport support;
    private AggregateTestFixture<Task> fixture;

    @BeforeEach
    void setUp() {
        support = new TaskTestSupport();
        fixture = support.fixture;
    }

    // ------------------------------------------------------------------------------------------ the happy path

    @Test
    void planToTddIssuesTheNextTokenForTheNewPhase() {
        Instant at = NOW.plusSeconds(30);
        AtomicReference<TransitionOutcome> outcome = new AtomicReference<>();
        Map<String, Object> artifacts = Map.of("plan", plan("exports CSV"));
        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase("PLAN"))
                .andGivenCurrentTime(at)
                .when(transition(1, "PLAN", "TDD", artifacts))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(event(TaskTransitionedEvent.class, "PLAN -> TDD, generation 2",
                        e -> e.taskId().equals(TASK) && e.orgId().equals(ORG) && e.agentId().equals(AGENT)
                                && e.workflowId().equals("tdd-default") && e.workflowVersion() == 1
                                && e.fromPhase().equals("PLAN") && e.toPhase().equals("TDD")
                                && e.artifacts().equals(artifacts) && e.warnings().isEmpty()
                                && e.tokenGeneration() == 2 && !e.tokenId().isBlank()
                                && e.tokenExpiresAt().equals(at.plus(TTL)) && e.transitionedAt().equals(at))))
                .expectResultMessagePayloadMatching(result(TransitionOutcome.class, outcome,
                        o -> o.allowed() && o.phase().equals("TDD") && o.blockers().isEmpty() && o.warnings().isEmpty()));
        PhaseTokenGrant grant = outcome.get().token();
        assertThat(grant.generation()).isEqualTo(2);
        assertThat(grant.expiresAt()).isEqualTo(at.plus(TTL));
        assertThat(grant.leaseExpiresAt()).isEqualTo(NOW.plus(LEASE)); // a transition does not renew the lease
        VerifiedPhaseToken token = support.verify(grant.token(), at);
        assertThat(token.phase()).isEqualTo("TDD");
        assertThat(token.generation()).isEqualTo(2);
        assertThat(token.agentId()).isEqualTo(AGENT);
        assertThat(token.taskId()).isEqualTo(TASK);
    }

    @Test
    void tddToImplNeedsFailingTests() {
        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase("TDD"))
                .when(transition(generationIn("TDD"), "TDD", "IMPL",
                        Map.of("tests", tests(), "test_result", testResult(0, 3))))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(event(TaskTransitionedEvent.class, "TDD -> IMPL",
                        e -> e.fromPhase().equals("TDD") && e.toPhase().equals("IMPL") && e.tokenGeneration() == 3)))
                .expectResultMessagePayloadMatching(result(TransitionOutcome.class,
                        o -> o.allowed() && o.phase().equals("IMPL") && o.token().generation() == 3));
    }

    @Test
    void enteringReviewRequestsTheReviewsOfTheFirstRound() {
        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase("IMPL"))
                .when(transition(generationIn("IMPL"), "IMPL", "REVIEW",
                        Map.of("implementation", implementation(), "test_result", testResult(12, 0))))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(
                        event(TaskTransitionedEvent.class, "IMPL -> REVIEW", e -> e.toPhase().equals("REVIEW")),
                        event(new ReviewsRequestedEvent(TASK, ORG, "REVIEW", 1, 1, "reviewer", NOW))));
    }

    @Test
    void reviewToCompleteCompletesTheTaskAndEndsTheLease() {
        fixture.givenCurrentTime(NOW)
                .andGiven(created(STRICT))
                .andGivenCommands(claim(),
                        transition(1, "PLAN", "TDD", Map.of("plan", plan("exports CSV"))),
                        transition(2, "TDD", "IMPL", Map.of("tests", tests(), "test_result", testResult(1, 2))),
                        transition(3, "IMPL", "REVIEW",
                                Map.of("implementation", implementation(), "test_result", testResult(3, 0))),
                        new SubmitReviewCommand(TASK, ORG, "rita", Set.of("reviewer"), "approve", "ship it"))
                .when(transition(4, "REVIEW", "COMPLETE", Map.of("review", review("approve"))))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(
                        event(TaskTransitionedEvent.class, "REVIEW -> COMPLETE, generation 5",
                                e -> e.fromPhase().equals("REVIEW") && e.toPhase().equals("COMPLETE")
                                        && e.tokenGeneration() == 5),
                        event(new TaskCompletedEvent(TASK, ORG, AGENT, "tdd-default", "COMPLETE", NOW))))
                .expectResultMessagePayloadMatching(result(TransitionOutcome.class,
                        o -> o.allowed() && o.phase().equals("COMPLETE") && o.token().generation() == 5
                                && o.token().leaseExpiresAt() == null))
                .expectNoScheduledDeadlines();
    }

    @Test
    void aCompletedTaskTakesNoMoreTransitionsClaimsOrLeaseExpiry() {
        List<Object> completed = given(inPhase("REVIEW"), transitioned(STRICT, "REVIEW", "COMPLETE", 5),
                new TaskCompletedEvent(TASK, ORG, AGENT, "tdd-default", "COMPLETE", NOW));
        fixture.givenCurrentTime(NOW)
                .andGiven(completed)
                .when(transition(5, "COMPLETE", "REVIEW", Map.of()))
                .expectNoEvents()
                .expectExceptionDetails(rejection("not_claimant", 401, Map.of()));
        fixture.givenCurrentTime(NOW)
                .andGiven(completed)
                .when(claim())
                .expectNoEvents()
                .expectExceptionDetails(rejection("task_not_claimable", 409, Map.of()));
        fixture.givenCurrentTime(NOW)
                .andGiven(completed)
                .when(new RenewTaskLeaseCommand(TASK, AGENT, 5))
                .expectNoEvents()
                .expectExceptionDetails(rejection("not_claimant", 401, Map.of()));
    }

    // ------------------------------------------------------------------------------------------------ blockers

    @Test
    void aPhaseThatIsNotTheTasksIsAPhaseMismatch() {
        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase("PLAN"))
                .when(new TransitionTaskCommand(TASK, AGENT, 1, "TDD", "TDD", "IMPL", Map.of()))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(rejected("PLAN", "IMPL", List.of(),
                        "phase_mismatch", "phase_mismatch", "unknown_transition")))
                .expectResultMessagePayloadMatching(refused("PLAN",
                        "phase_mismatch", "phase_mismatch", "unknown_transition"));

        // only the token's phase is stale
        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase("PLAN"))
                .when(new TransitionTaskCommand(TASK, AGENT, 1, "REVIEW", "PLAN", "TDD",
                        Map.of("plan", plan("exports CSV"))))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(rejected("PLAN", "TDD", List.of("plan"), "phase_mismatch")))
                .expectResultMessagePayloadMatching(refused("PLAN", "phase_mismatch"));
    }

    @Test
    void aTransitionTheWorkflowDoesNotHaveIsUnknown() {
        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase("PLAN"))
                .when(transition(1, "PLAN", "COMPLETE", Map.of("review", review("approve"))))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(rejected("PLAN", "COMPLETE", List.of("review"), "unknown_transition")))
                .expectResultMessagePayloadMatching(refused("PLAN", "unknown_transition"));
    }

    @Test
    void aMissingArtifactAndTheGateThatNeedsItBothBlock() {
        AtomicReference<TransitionOutcome> outcome = new AtomicReference<>();
        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase("PLAN"))
                .when(transition(1, "PLAN", "TDD", Map.of()))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(rejected("PLAN", "TDD", List.of(),
                        "missing_artifact", "plan_has_acceptance_criteria")))
                .expectResultMessagePayloadMatching(result(TransitionOutcome.class, outcome,
                        o -> !o.allowed() && o.token() == null));
        TransitionBlocker missing = outcome.get().blockers().get(0);
        assertThat(missing.artifact()).isEqualTo("plan");
        assertThat(missing.path()).isNull();
        assertThat(missing.message()).contains("plan");
    }

    @Test
    void anInvalidArtifactNamesThePathOfTheProblem() {
        AtomicReference<TransitionOutcome> outcome = new AtomicReference<>();
        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase("TDD"))
                .when(transition(2, "TDD", "IMPL", Map.of("tests", tests(), "test_result", testResult("three", 1))))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(rejected("TDD", "IMPL", List.of("test_result", "tests"),
                        "invalid_artifact")))
                .expectResultMessagePayloadMatching(result(TransitionOutcome.class, outcome, o -> !o.allowed()));
        TransitionBlocker invalid = outcome.get().blockers().get(0);
        assertThat(invalid.artifact()).isEqualTo("test_result");
        assertThat(invalid.path()).isEqualTo("/passed");
    }

    @Test
    void anArtifactWithoutASchemaIsUnknown() {
        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase("PLAN"))
                .when(transition(1, "PLAN", "TDD", Map.of("plan", plan("exports CSV"), "notes", Map.of("x", 1))))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(rejected("PLAN", "TDD", List.of("notes", "plan"), "unknown_artifact")))
                .expectResultMessagePayloadMatching(refused("PLAN", "unknown_artifact"));
    }

    @Test
    void aFailingGateBlocksWithTheGateId() {
        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase("TDD"))
                .when(transition(2, "TDD", "IMPL", Map.of("tests", tests(), "test_result", testResult(4, 0))))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(rejected("TDD", "IMPL", List.of("test_result", "tests"),
                        "tests_are_failing")))
                .expectResultMessagePayloadMatching(refused("TDD", "tests_are_failing"));
        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase("IMPL"))
                .when(transition(3, "IMPL", "REVIEW",
                        Map.of("implementation", implementation(), "test_result", testResult(4, 1))))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(rejected("IMPL", "REVIEW", List.of("implementation", "test_result"),
                        "all_tests_pass")))
                .expectResultMessagePayloadMatching(refused("IMPL", "all_tests_pass"));
    }

    @Test
    void everyBlockerIsCollectedAndTheRefusalKeepsOnlyArtifactNames() {
        AtomicReference<TransitionOutcome> outcome = new AtomicReference<>();
        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase("TDD"))
                .when(new TransitionTaskCommand(TASK, AGENT, 2, "TDD", "PLAN", "IMPL",
                        Map.of("test_result", testResult(-1, 0))))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(rejected("TDD", "IMPL", List.of("test_result"),
                        "phase_mismatch", "missing_artifact", "invalid_artifact", "tests_are_failing")))
                .expectResultMessagePayloadMatching(result(TransitionOutcome.class, outcome, o -> !o.allowed()))
                .expectState(task -> assertThat(task.orgId()).isEqualTo(ORG));
        assertThat(outcome.get().phase()).isEqualTo("TDD");
        assertThat(outcome.get().warnings()).isEmpty();
    }

    @Test
    void aRefusalLeavesTheTaskInItsPhaseWithTheSameToken() {
        // the refused transition is given; the current token (generation 1) still moves the task afterwards
        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase("PLAN"))
                .andGivenCommands(transition(1, "PLAN", "TDD", Map.of()))
                .when(transition(1, "PLAN", "TDD", Map.of("plan", plan("exports CSV"))))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(event(TaskTransitionedEvent.class, "PLAN -> TDD, generation 2",
                        e -> e.toPhase().equals("TDD") && e.tokenGeneration() == 2)));
    }

    // ------------------------------------------------------------------------------------------------ permissive

    @Test
    void permissiveEnforcementLetsArtifactAndGateProblemsPassAsWarnings() {
        AtomicReference<TransitionOutcome> outcome = new AtomicReference<>();
        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase(PERMISSIVE, "PLAN"))
                .when(transition(1, "PLAN", "TDD", Map.of("plan", plan())))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(event(TaskTransitionedEvent.class, "with a gate warning",
                        e -> e.toPhase().equals("TDD") && e.workflowId().equals("tdd-permissive")
                                && codes(e.warnings()).equals(List.of("plan_has_acceptance_criteria")))))
                .expectResultMessagePayloadMatching(result(TransitionOutcome.class, outcome,
                        o -> o.allowed() && o.blockers().isEmpty() && o.token() != null));
        assertThat(codes(outcome.get().warnings())).containsExactly("plan_has_acceptance_criteria");

        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase(PERMISSIVE, "TDD"))
                .when(transition(2, "TDD", "IMPL", Map.of("test_result", testResult("x", 0))))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(event(TaskTransitionedEvent.class, "with artifact and gate warnings",
                        e -> codes(e.warnings()).equals(
                                List.of("missing_artifact", "invalid_artifact", "tests_are_failing")))));
    }

    @Test
    void permissiveEnforcementStillBlocksStructuralProblems() {
        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase(PERMISSIVE, "PLAN"))
                .when(transition(1, "PLAN", "IMPL", Map.of()))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(rejected("PLAN", "IMPL", List.of(), "unknown_transition")))
                .expectResultMessagePayloadMatching(refused("PLAN", "unknown_transition"));
        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase(PERMISSIVE, "PLAN"))
                .when(new TransitionTaskCommand(TASK, AGENT, 1, "PLAN", "TDD", "TDD", Map.of("plan", plan())))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(rejected("PLAN", "TDD", List.of("plan"),
                        "phase_mismatch", "plan_has_acceptance_criteria")))
                .expectResultMessagePayloadMatching(refused("PLAN", "phase_mismatch", "plan_has_acceptance_criteria"));
    }

    // --------------------------------------------------------------------------------------- tokens and claims

    @Test
    void aSupersededTokenOrAnotherAgentCannotTransition() {
        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase("TDD"))
                .when(transition(1, "TDD", "IMPL", Map.of("tests", tests(), "test_result", testResult(0, 1))))
                .expectNoEvents()
                .expectExceptionDetails(rejection("token_superseded", 401, Map.of()));
        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase("PLAN"))
                .when(new TransitionTaskCommand(TASK, "agent-other", 1, "PLAN", "PLAN", "TDD",
                        Map.of("plan", plan("x"))))
                .expectNoEvents()
                .expectExceptionDetails(rejection("not_claimant", 401, Map.of()));
        fixture.givenCurrentTime(NOW)
                .andGiven(created(STRICT))
                .when(transition(0, "PLAN", "TDD", Map.of("plan", plan("x"))))
                .expectNoEvents()
                .expectExceptionDetails(rejection("not_claimant", 401, Map.of()));
    }

    @Test
    void aRefreshIssuesTheNextGenerationForTheSamePhase() {
        Instant at = NOW.plusSeconds(60);
        AtomicReference<PhaseTokenGrant> grant = new AtomicReference<>();
        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase("TDD"))
                .andGivenCurrentTime(at)
                .when(new RefreshPhaseTokenCommand(TASK, AGENT, 2))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(event(PhaseTokenRefreshedEvent.class, "TDD, generation 3",
                        e -> e.taskId().equals(TASK) && e.orgId().equals(ORG) && e.agentId().equals(AGENT)
                                && e.phase().equals("TDD") && e.tokenGeneration() == 3 && !e.tokenId().isBlank()
                                && e.tokenExpiresAt().equals(at.plus(TTL)) && e.refreshedAt().equals(at))))
                .expectResultMessagePayloadMatching(result(PhaseTokenGrant.class, grant,
                        g -> g.generation() == 3 && g.expiresAt().equals(at.plus(TTL))
                                && g.leaseExpiresAt().equals(NOW.plus(LEASE))));
        VerifiedPhaseToken token = support.verify(grant.get().token(), at);
        assertThat(token.phase()).isEqualTo("TDD");
        assertThat(token.generation()).isEqualTo(3);
    }

    @Test
    void aRefreshedTokenSupersedesThePreviousOne() {
        PhaseTokenRefreshedEvent refreshed = new PhaseTokenRefreshedEvent(TASK, ORG, AGENT, "PLAN", 2, "jti-2",
                NOW.plus(TTL), NOW);
        fixture.givenCurrentTime(NOW)
                .andGiven(given(inPhase("PLAN"), refreshed))
                .when(new RefreshPhaseTokenCommand(TASK, AGENT, 1))
                .expectNoEvents()
                .expectExceptionDetails(rejection("token_superseded", 401, Map.of()));
        fixture.givenCurrentTime(NOW)
                .andGiven(given(inPhase("PLAN"), refreshed))
                .when(transition(2, "PLAN", "TDD", Map.of("plan", plan("x"))))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(event(TaskTransitionedEvent.class, "generation 3",
                        e -> e.tokenGeneration() == 3)));
        fixture.givenCurrentTime(NOW)
                .andGiven(given(inPhase("PLAN"), refreshed))
                .when(new RefreshPhaseTokenCommand(TASK, "agent-other", 2))
                .expectNoEvents()
                .expectExceptionDetails(rejection("not_claimant", 401, Map.of()));
    }

    // ------------------------------------------------------------------------------------------------- leases

    @Test
    void theLeaseStillExpiresAfterATransition() {
        fixture.givenCurrentTime(NOW)
                .andGiven(created(STRICT))
                .andGivenCommands(claim(), transition(1, "PLAN", "TDD", Map.of("plan", plan("x"))))
                .whenTimeElapses(LEASE.plusSeconds(1))
                .expectDeadlinesMet(new Task.LeaseDeadline(1, NOW.plus(LEASE)))
                .expectEventsMatching(exactly(event(TaskClaimExpiredEvent.class, "of the claim's lease",
                        e -> e.agentId().equals(AGENT) && e.leaseExpiredAt().equals(NOW.plus(LEASE)))));
    }

    @Test
    void theClaimantRenewsWithTheGenerationOfItsLatestToken() {
        Instant later = NOW.plusSeconds(300);
        fixture.givenCurrentTime(NOW)
                .andGiven(given(inPhase("TDD"),
                        new PhaseTokenRefreshedEvent(TASK, ORG, AGENT, "TDD", 3, "jti-3", NOW.plus(TTL), NOW)))
                .andGivenCurrentTime(later)
                .when(new RenewTaskLeaseCommand(TASK, AGENT, 3))
                .expectSuccessfulHandlerExecution()
                .expectEvents(new TaskLeaseRenewedEvent(TASK, ORG, AGENT, later.plus(LEASE), later))
                .expectScheduledDeadline(LEASE, new Task.LeaseDeadline(1, later.plus(LEASE)));
    }

    @Test
    void aRenewedLeaseExpiresAfterTransitionsToo() {
        // renewed at NOW after a transition: the claim's deadline is replaced and exactly the renewal's fires
        fixture.givenCurrentTime(NOW)
                .andGiven(created(STRICT))
                .andGivenCommands(claim(), transition(1, "PLAN", "TDD", Map.of("plan", plan("x"))),
                        new RenewTaskLeaseCommand(TASK, AGENT, 2))
                .whenTimeElapses(LEASE.plusSeconds(1))
                .expectDeadlinesMet(new Task.LeaseDeadline(1, NOW.plus(LEASE)))
                .expectEventsMatching(exactly(event(TaskClaimExpiredEvent.class, "one expiry",
                        e -> e.leaseExpiredAt().equals(NOW.plus(LEASE)))));
    }

    // ------------------------------------------------------------------------------------------- cancellation

    @Test
    void cancellingAClaimedTaskEndsTheClaimAndItsLease() {
        fixture.givenCurrentTime(NOW)
                .andGiven(created(STRICT))
                .andGivenCommands(claim())
                .when(new CancelTaskCommand(TASK, ORG, "no longer needed", "alice"))
                .expectSuccessfulHandlerExecution()
                .expectEvents(new TaskCancelledEvent(TASK, ORG, "PLAN", AGENT, "no longer needed", "alice", NOW))
                .expectNoScheduledDeadlines();
    }

    @Test
    void cancellingAnUnclaimedTaskNamesNoAgent() {
        fixture.givenCurrentTime(NOW)
                .andGiven(created(STRICT))
                .when(new CancelTaskCommand(TASK, ORG, null, "alice"))
                .expectSuccessfulHandlerExecution()
                .expectEvents(new TaskCancelledEvent(TASK, ORG, "PLAN", null, null, "alice", NOW));
    }

    @Test
    void onlyAnOpenTaskOfTheOrganisationCanBeCancelled() {
        fixture.givenCurrentTime(NOW)
                .andGiven(created(STRICT))
                .when(new CancelTaskCommand(TASK, "org-other", null, "mallory"))
                .expectNoEvents()
                .expectExceptionDetails(rejection("task_not_found", 404, Map.of()));
        TaskCancelledEvent cancelled = new TaskCancelledEvent(TASK, ORG, "PLAN", null, null, "alice", NOW);
        fixture.givenCurrentTime(NOW)
                .andGiven(created(STRICT), cancelled)
                .when(new CancelTaskCommand(TASK, ORG, null, "alice"))
                .expectNoEvents()
                .expectExceptionDetails(rejection("task_not_cancellable", 409, Map.of()));
        fixture.givenCurrentTime(NOW)
                .andGiven(given(inPhase("REVIEW"), transitioned(STRICT, "REVIEW", "COMPLETE", 5),
                        new TaskCompletedEvent(TASK, ORG, AGENT, "tdd-default", "COMPLETE", NOW)))
                .when(new CancelTaskCommand(TASK, ORG, null, "alice"))
                .expectNoEvents()
                .expectExceptionDetails(rejection("task_not_cancellable", 409, Map.of()));
    }

    @Test
    void aCancelledTaskCanNeitherBeClaimedNorWorkedOn() {
        TaskCancelledEvent cancelled = new TaskCancelledEvent(TASK, ORG, "PLAN", AGENT, null, "alice", NOW);
        fixture.givenCurrentTime(NOW)
                .andGiven(created(STRICT), claimed("PLAN", 1), cancelled)
                .when(claim())
                .expectNoEvents()
                .expectExceptionDetails(rejection("task_not_claimable", 409, Map.of()));
        fixture.givenCurrentTime(NOW)
                .andGiven(created(STRICT), claimed("PLAN", 1), cancelled)
                .when(transition(1, "PLAN", "TDD", Map.of("plan", plan("x"))))
                .expectNoEvents()
                .expectExceptionDetails(rejection("not_claimant", 401, Map.of()));
        fixture.givenCurrentTime(NOW)
                .andGiven(created(STRICT), claimed("PLAN", 1), cancelled)
                .when(new RefreshPhaseTokenCommand(TASK, AGENT, 1))
                .expectNoEvents()
                .expectExceptionDetails(rejection("not_claimant", 401, Map.of()));
    }

    @Test
    void aCancelledClaimDoesNotExpireLater() {
        fixture.givenCurrentTime(NOW)
                .andGiven(created(STRICT))
                .andGivenCommands(claim(), new CancelTaskCommand(TASK, ORG, null, "alice"))
                .whenTimeElapses(LEASE.plusSeconds(1))
                .expectNoEvents();
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static List<String> codes(List<TransitionBlocker> blockers) {
        return blockers.stream().map(TransitionBlocker::code).toList();
    }

    /** A TaskTransitionRejectedEvent of this move with blockers of exactly these codes, in order. */
    private static TaskTestSupport.Expected<TaskTransitionRejectedEvent> rejected(String from, String target,
                                                                                   List<String> artifactNames,
                                                                                   String... codes) {
        return event(TaskTransitionRejectedEvent.class, from + " -> " + target + " refused with " + List.of(codes),
                e -> e.taskId().equals(TASK) && e.orgId().equals(ORG) && e.agentId().equals(AGENT)
                        && e.workflowId() != null && e.fromPhase().equals(from) && e.targetPhase().equals(target)
                        && e.artifactNames().equals(artifactNames) && codes(e.blockers()).equals(List.of(codes))
                        && e.blockers().stream().allMatch(b -> b.message() != null && !b.message().isBlank())
                        && e.rejectedAt() != null);
    }

    private static org.hamcrest.Matcher<Object> refused(String phase, String... codes) {
        return result(TransitionOutcome.class, o -> !o.allowed() && o.phase().equals(phase) && o.token() == null
                && o.warnings().isEmpty() && codes(o.blockers()).equals(List.of(codes)));
    }
}
