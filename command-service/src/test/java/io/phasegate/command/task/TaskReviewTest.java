package io.phasegate.command.task;

import static io.phasegate.command.Rejections.rejection;
import static io.phasegate.command.task.TaskTestSupport.AGENT;
import static io.phasegate.command.task.TaskTestSupport.NOW;
import static io.phasegate.command.task.TaskTestSupport.ORG;
import static io.phasegate.command.task.TaskTestSupport.STRICT;
import static io.phasegate.command.task.TaskTestSupport.TASK;
import static io.phasegate.command.task.TaskTestSupport.event;
import static io.phasegate.command.task.TaskTestSupport.exactly;
import static io.phasegate.command.task.TaskTestSupport.given;
import static io.phasegate.command.task.TaskTestSupport.implementation;
import static io.phasegate.command.task.TaskTestSupport.inPhase;
import static io.phasegate.command.task.TaskTestSupport.result;
import static io.phasegate.command.task.TaskTestSupport.review;
import static io.phasegate.command.task.TaskTestSupport.reviewsRequested;
import static io.phasegate.command.task.TaskTestSupport.testResult;
import static io.phasegate.command.task.TaskTestSupport.transition;
import static io.phasegate.command.task.TaskTestSupport.transitioned;
import static org.assertj.core.api.Assertions.assertThat;

import io.phasegate.events.task.ReviewSubmittedEvent;
import io.phasegate.events.task.ReviewsRequestedEvent;
import io.phasegate.events.task.SubmitReviewCommand;
import io.phasegate.events.task.TaskCancelledEvent;
import io.phasegate.events.task.TaskCompletedEvent;
import io.phasegate.events.task.TaskReleasedEvent;
import io.phasegate.events.task.TaskTransitionRejectedEvent;
import io.phasegate.events.task.TaskTransitionedEvent;
import io.phasegate.events.task.TransitionBlocker;
import io.phasegate.events.task.TransitionOutcome;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Review rounds, review submission and the reviews_approved gate (SPEC §2.1, §2.2). */
class TaskReviewTest {

    private static final long REVIEW_GENERATION = TaskTestSupport.generationIn("REVIEW");

    private AggregateTestFixture<Task> fixture;

    @BeforeEach
    void setUp() {
        fixture = new TaskTestSupport().fixture;
    }

    // ---------------------------------------------------------------------------------------------- submission

    @Test
    void aReviewerSubmitsAVerdictOnTheOpenRound() {
        AtomicReference<String> reviewId = new AtomicReference<>();
        AtomicReference<ReviewSubmittedEvent> submitted = new AtomicReference<>();
        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase("REVIEW"))
                .when(new SubmitReviewCommand(TASK, ORG, "rita", Set.of("reviewer"), "approve", "looks good"))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(event(ReviewSubmittedEvent.class, "rita approves round 1", e -> {
                    submitted.set(e);
                    return e.taskId().equals(TASK) && e.orgId().equals(ORG) && e.phase().equals("REVIEW")
                            && e.round() == 1 && e.reviewerId().equals("rita") && e.verdict().equals("approve")
                            && e.comments().equals("looks good") && e.submittedAt().equals(NOW);
                })))
                .expectResultMessagePayloadMatching(result(String.class, reviewId, id -> true));
        assertThat(reviewId.get()).isEqualTo(submitted.get().reviewId());
        assertThat(UUID.fromString(reviewId.get())).isNotNull();
    }

    @Test
    void theVerdictIsRecordedInItsWireForm() {
        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase("REVIEW"))
                .when(new SubmitReviewCommand(TASK, ORG, "rita", Set.of("reviewer"), " Changes_Requested ", null))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(event(ReviewSubmittedEvent.class, "changes_requested",
                        e -> e.verdict().equals("changes_requested"))));
    }

    @Test
    void anAdminMayReviewWithoutTheRequestedRole() {
        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase("REVIEW"))
                .when(new SubmitReviewCommand(TASK, ORG, "ada", Set.of("admin"), "approve", null))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(event(ReviewSubmittedEvent.class, "by ada",
                        e -> e.reviewerId().equals("ada"))));
    }

    @Test
    void anotherOrganisationDoesNotFindTheTask() {
        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase("REVIEW"))
                .when(new SubmitReviewCommand(TASK, "org-other", "rita", Set.of("reviewer"), "approve", null))
                .expectNoEvents()
                .expectExceptionDetails(rejection("task_not_found", 404, Map.of()));
    }

    @Test
    void withoutAnOpenRoundInTheCurrentPhaseNoReviewIsTaken() {
        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase("IMPL"))
                .when(new SubmitReviewCommand(TASK, ORG, "rita", Set.of("reviewer"), "approve", null))
                .expectNoEvents()
                .expectExceptionDetails(rejection("no_review_requested", 409, Map.of()));
        // the round of REVIEW closed when the task went back to IMPL
        fixture.givenCurrentTime(NOW)
                .andGiven(given(inPhase("REVIEW"), transitioned(STRICT, "REVIEW", "IMPL", 5)))
                .when(new SubmitReviewCommand(TASK, ORG, "rita", Set.of("reviewer"), "approve", null))
                .expectNoEvents()
                .expectExceptionDetails(rejection("no_review_requested", 409, Map.of()));
    }

    @Test
    void aCompletedOrCancelledTaskTakesNoReview() {
        fixture.givenCurrentTime(NOW)
                .andGiven(given(inPhase("REVIEW"),
                        new TaskCancelledEvent(TASK, ORG, "REVIEW", AGENT, null, "alice", NOW)))
                .when(new SubmitReviewCommand(TASK, ORG, "rita", Set.of("reviewer"), "approve", null))
                .expectNoEvents()
                .expectExceptionDetails(rejection("no_review_requested", 409, Map.of()));
        // a workflow whose terminal phase requests reviews would leave a round open; completion closes it anyway
        fixture.givenCurrentTime(NOW)
                .andGiven(given(inPhase("REVIEW"), new TaskCompletedEvent(TASK, ORG, AGENT, "tdd-default", "REVIEW",
                        NOW)))
                .when(new SubmitReviewCommand(TASK, ORG, "rita", Set.of("reviewer"), "approve", null))
                .expectNoEvents()
                .expectExceptionDetails(rejection("no_review_requested", 409, Map.of()));
    }

    @Test
    void anUnclaimedTaskInReviewStillTakesReviews() {
        fixture.givenCurrentTime(NOW)
                .andGiven(given(inPhase("REVIEW"), new TaskReleasedEvent(TASK, ORG, AGENT, NOW)))
                .when(new SubmitReviewCommand(TASK, ORG, "rita", Set.of("reviewer"), "approve", null))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(event(ReviewSubmittedEvent.class, "round 1", e -> e.round() == 1)));
    }

    @Test
    void theVerdictMustBeApproveOrChangesRequested() {
        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase("REVIEW"))
                .when(new SubmitReviewCommand(TASK, ORG, "rita", Set.of("reviewer"), "lgtm", null))
                .expectNoEvents()
                .expectExceptionDetails(rejection("invalid_verdict", 400, Map.of()));
        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase("REVIEW"))
                .when(new SubmitReviewCommand(TASK, ORG, "rita", Set.of("reviewer"), null, null))
                .expectNoEvents()
                .expectExceptionDetails(rejection("invalid_verdict", 400, Map.of()));
    }

    @Test
    void theReviewerNeedsTheRequestedRole() {
        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase("REVIEW"))
                .when(new SubmitReviewCommand(TASK, ORG, "dave", Set.of("developer"), "approve", null))
                .expectNoEvents()
                .expectExceptionDetails(rejection("reviewer_role_required", 403, Map.of("role", "reviewer")));
    }

    @Test
    void theClaimingAgentCannotReviewItsOwnWork() {
        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase("REVIEW"))
                .when(new SubmitReviewCommand(TASK, ORG, AGENT, Set.of("reviewer", "admin"), "approve", null))
                .expectNoEvents()
                .expectExceptionDetails(rejection("self_review", 403, Map.of()));
    }

    @Test
    void aReviewerReviewsARoundOnce() {
        fixture.givenCurrentTime(NOW)
                .andGiven(given(inPhase("REVIEW"), approval(1, "rita")))
                .when(new SubmitReviewCommand(TASK, ORG, "rita", Set.of("reviewer"), "changes_requested", null))
                .expectNoEvents()
                .expectExceptionDetails(rejection("already_reviewed", 409, Map.of()));
        // ... but again in a later round
        fixture.givenCurrentTime(NOW)
                .andGiven(given(inPhase("REVIEW"), approval(1, "rita"), transitioned(STRICT, "REVIEW", "IMPL", 5),
                        transitioned(STRICT, "IMPL", "REVIEW", 6), reviewsRequested(2)))
                .when(new SubmitReviewCommand(TASK, ORG, "rita", Set.of("reviewer"), "approve", null))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(event(ReviewSubmittedEvent.class, "round 2", e -> e.round() == 2)));
    }

    // ------------------------------------------------------------------------------------------------- rounds

    @Test
    void reEnteringReviewStartsTheNextRound() {
        fixture.givenCurrentTime(NOW)
                .andGiven(given(inPhase("REVIEW"), changesRequested(1, "rita"),
                        transitioned(STRICT, "REVIEW", "IMPL", 5)))
                .when(transition(5, "IMPL", "REVIEW",
                        Map.of("implementation", implementation(), "test_result", testResult(5, 0))))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(
                        event(TaskTransitionedEvent.class, "IMPL -> REVIEW", e -> e.toPhase().equals("REVIEW")),
                        event(new ReviewsRequestedEvent(TASK, ORG, "REVIEW", 2, 1, "reviewer", NOW))));
    }

    @Test
    void goingBackToImplNeedsNoReview() {
        fixture.givenCurrentTime(NOW)
                .andGiven(given(inPhase("REVIEW"), changesRequested(1, "rita")))
                .when(transition(REVIEW_GENERATION, "REVIEW", "IMPL", Map.of()))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(event(TaskTransitionedEvent.class, "REVIEW -> IMPL",
                        e -> e.toPhase().equals("IMPL"))));
    }

    // ------------------------------------------------------------------------------------ reviews_approved gate

    @Test
    void completingFailsBeforeTheRequestedReviewIsSubmitted() {
        AtomicReference<TransitionOutcome> outcome = new AtomicReference<>();
        fixture.givenCurrentTime(NOW)
                .andGiven(inPhase("REVIEW"))
                .when(complete())
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(event(TaskTransitionRejectedEvent.class, "blocked by reviews_approved",
                        e -> codes(e.blockers()).equals(List.of("reviews_approved")))))
                .expectResultMessagePayloadMatching(result(TransitionOutcome.class, outcome, o -> !o.allowed()));
        assertThat(outcome.get().blockers().get(0).message()).contains("outstanding");
    }

    @Test
    void completingPassesAfterAnApproval() {
        fixture.givenCurrentTime(NOW)
                .andGiven(given(inPhase("REVIEW"), approval(1, "rita")))
                .when(complete())
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(
                        event(TaskTransitionedEvent.class, "REVIEW -> COMPLETE", e -> e.toPhase().equals("COMPLETE")),
                        event(new TaskCompletedEvent(TASK, ORG, AGENT, "tdd-default", "COMPLETE", NOW))));
    }

    @Test
    void aChangeRequestBlocksEvenNextToAnApproval() {
        fixture.givenCurrentTime(NOW)
                .andGiven(given(inPhase("REVIEW"), approval(1, "rita"), changesRequested(1, "carl")))
                .when(complete())
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(event(TaskTransitionRejectedEvent.class, "blocked by reviews_approved",
                        e -> codes(e.blockers()).equals(List.of("reviews_approved"))
                                && e.blockers().get(0).message().contains("requested changes"))));
    }

    @Test
    void anApprovalOfAnEarlierRoundDoesNotCount() {
        fixture.givenCurrentTime(NOW)
                .andGiven(given(inPhase("REVIEW"), approval(1, "rita"), transitioned(STRICT, "REVIEW", "IMPL", 5),
                        transitioned(STRICT, "IMPL", "REVIEW", 6), reviewsRequested(2)))
                .when(transition(6, "REVIEW", "COMPLETE", Map.of("review", review("approve"))))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(event(TaskTransitionRejectedEvent.class, "blocked by reviews_approved",
                        e -> codes(e.blockers()).equals(List.of("reviews_approved")))));
    }

    @Test
    void blockingIssuesInTheReviewArtifactBlockToo() {
        fixture.givenCurrentTime(NOW)
                .andGiven(given(inPhase("REVIEW"), approval(1, "rita")))
                .when(transition(REVIEW_GENERATION, "REVIEW", "COMPLETE",
                        Map.of("review", review("approve", "SQL injection in export"))))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(exactly(event(TaskTransitionRejectedEvent.class, "blocked by no_blocking_issues",
                        e -> codes(e.blockers()).equals(List.of("no_blocking_issues")))));
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static io.phasegate.events.task.TransitionTaskCommand complete() {
        return transition(REVIEW_GENERATION, "REVIEW", "COMPLETE", Map.of("review", review("approve")));
    }

    private static ReviewSubmittedEvent approval(int round, String reviewer) {
        return new ReviewSubmittedEvent(TASK, ORG, "REVIEW", round, "review-" + reviewer + "-" + round, reviewer,
                "approve", null, NOW);
    }

    private static ReviewSubmittedEvent changesRequested(int round, String reviewer) {
        return new ReviewSubmittedEvent(TASK, ORG, "REVIEW", round, "review-" + reviewer + "-" + round, reviewer,
                "changes_requested", "please add tests", NOW);
    }

    private static List<String> codes(List<TransitionBlocker> blockers) {
        return blockers.stream().map(TransitionBlocker::code).toList();
    }
}
