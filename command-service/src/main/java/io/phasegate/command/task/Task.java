package io.phasegate.command.task;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import io.phasegate.command.gate.ArtifactProblem;
import io.phasegate.command.gate.ArtifactValidator;
import io.phasegate.command.gate.GateBlocker;
import io.phasegate.command.gate.GateEvaluator;
import io.phasegate.command.gate.ReviewState;
import io.phasegate.command.tool.ToolArguments;
import io.phasegate.command.tool.ToolPolicyEvaluator;
import io.phasegate.command.tool.ToolPolicyEvaluator.Violation;
import io.phasegate.command.token.IssuedPhaseToken;
import io.phasegate.command.token.PhaseTokenClaims;
import io.phasegate.command.token.PhaseTokenIssuer;
import io.phasegate.command.workflow.WorkflowCatalog;
import io.phasegate.events.task.CancelTaskCommand;
import io.phasegate.events.task.ClaimTaskCommand;
import io.phasegate.events.task.CreateTaskCommand;
import io.phasegate.events.task.PhaseTokenGrant;
import io.phasegate.events.task.PhaseTokenRefreshedEvent;
import io.phasegate.events.task.RefreshPhaseTokenCommand;
import io.phasegate.events.task.ReleaseTaskCommand;
import io.phasegate.events.task.RenewTaskLeaseCommand;
import io.phasegate.events.task.ReviewSubmittedEvent;
import io.phasegate.events.task.ReviewsRequestedEvent;
import io.phasegate.events.task.SubmitReviewCommand;
import io.phasegate.events.task.TaskCancelledEvent;
import io.phasegate.events.task.TaskClaimExpiredEvent;
import io.phasegate.events.task.TaskClaimedEvent;
import io.phasegate.events.task.TaskCompletedEvent;
import io.phasegate.events.task.TaskCreatedEvent;
import io.phasegate.events.task.TaskLeaseRenewedEvent;
import io.phasegate.events.task.TaskReleasedEvent;
import io.phasegate.events.task.TaskStatus;
import io.phasegate.events.task.TaskTransitionRejectedEvent;
import io.phasegate.events.task.TaskTransitionedEvent;
import io.phasegate.events.task.TransitionBlocker;
import io.phasegate.events.task.TransitionOutcome;
import io.phasegate.events.task.TransitionTaskCommand;
import io.phasegate.events.tool.AuthorizeToolCallCommand;
import io.phasegate.events.tool.DecideToolApprovalCommand;
import io.phasegate.events.tool.ReportToolOutcomeCommand;
import io.phasegate.events.tool.ToolApprovalDeniedEvent;
import io.phasegate.events.tool.ToolApprovalGrantedEvent;
import io.phasegate.events.tool.ToolApprovalRequestedEvent;
import io.phasegate.events.tool.ToolCallDecidedEvent;
import io.phasegate.events.tool.ToolCallOutcomeReportedEvent;
import io.phasegate.events.tool.ToolDecision;
import io.phasegate.events.workflow.PhaseDefinition;
import io.phasegate.events.workflow.PhaseDefinition.RequestReviews;
import io.phasegate.events.workflow.TransitionDefinition;
import io.phasegate.events.workflow.WorkflowDefinition;
import io.phasegate.events.workflow.WorkflowDefinition.Enforcement;
import io.phasegate.platform.axon.Rejections;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.deadline.DeadlineManager;
import org.axonframework.deadline.annotation.DeadlineHandler;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.spring.stereotype.Aggregate;

/**
 * A unit of agent work that follows one workflow version through its phases (SPEC §2.2): claims and leases, phase
 * transitions through artifact checks and gates, phase tokens (§2.3), reviews, and the authorisation of tool calls with
 * their approvals (§2.4).
 *
 * <p>Command handlers check the rules and apply events; event sourcing handlers only assign state. The aggregate is
 * cached ({@link TaskCacheConfiguration}), so its state is kept small: the last {@value #MAX_OPEN_CALLS} allowed calls
 * that wait for an outcome, the latest review round, and the tool approvals.
 */
@Aggregate(cache = TaskCacheConfiguration.TASK_CACHE)
class Task {

    static final String LEASE_DEADLINE = "task-lease";
    /** Allowed tool calls remembered while they wait for an outcome report; older ones are forgotten. */
    static final int MAX_OPEN_CALLS = 1000;
    static final String ADMIN_ROLE = "admin";
    static final String AGENT_SOURCE = "agent";
    static final String EXECUTOR_SOURCE = "executor";

    @AggregateIdentifier
    private String taskId;
    private String orgId;
    private TaskStatus status;
    private String phase;
    private String workflowId;
    private int workflowVersion;
    private List<String> dependsOn = List.of();
    private List<String> requiredCapabilities = List.of();
    private String claimedBy;
    private long tokenGeneration;
    /** The token generation the current claim started with: identifies the claim that a lease deadline guards. */
    private long claimGeneration;
    private Instant leaseExpiresAt;

    /** The latest review round (0: none yet), the phase it belongs to, and its verdicts by reviewer. */
    private int reviewRound;
    private String reviewPhase;
    private int reviewsRequested;
    private String reviewRole;
    private Map<String, String> reviewVerdicts = new LinkedHashMap<>();

    /** Tool approvals by id, in request order. */
    private final Map<String, Approval> approvals = new LinkedHashMap<>();
    /** Allowed calls waiting for an outcome: call id to tool name. */
    private final OpenCalls openCalls = new OpenCalls();

    /** The task's workflow version, looked up once per loaded aggregate (a published version never changes). */
    private transient WorkflowDefinition workflow;

    Task() {
        // for Axon
    }

    @CommandHandler
    Task(CreateTaskCommand command, WorkflowCatalog workflows, TaskDirectory tasks) {
        WorkflowDefinition workflow = workflows.find(command.orgId(), command.workflowId(), command.workflowVersion())
                .orElseThrow(() -> Rejections.command("unknown_workflow", 422,
                        command.workflowVersion() == null
                                ? "Workflow '" + command.workflowId() + "' is not published."
                                : "Workflow '" + command.workflowId() + "' has no version " + command.workflowVersion() + "."));
        List<String> dependsOn = List.copyOf(new LinkedHashSet<>(command.dependsOn()));
        List<String> unknown = new ArrayList<>();
        for (String dependency : dependsOn) {
            if (dependency.equals(command.taskId())
                    || !tasks.organisationOf(dependency).map(command.orgId()::equals).orElse(false)) {
                unknown.add(dependency);
            }
        }
        if (!unknown.isEmpty()) {
            throw Rejections.command("unknown_dependency", 422,
                    "The task depends on tasks that do not exist: " + String.join(", ", unknown) + ".",
                    Map.of("unknown_dependencies", unknown));
        }
        apply(new TaskCreatedEvent(command.taskId(), command.orgId(), command.projectId(), command.title(),
                command.description(), workflow.id(), workflow.version(), workflow.initialPhase(), dependsOn,
                List.copyOf(new LinkedHashSet<>(command.requiredCapabilities())), command.priority(),
                command.createdBy(), GenericEventMessage.clock.instant()));
    }

    // ------------------------------------------------------------------------------------------------ claims

    /**
     * Claim: exactly one agent wins (the aggregate is the consistency boundary; a concurrent claim either waits for
     * the lock or, across instances, loses on the event store's sequence constraint). Issues the first phase token
     * of the claim and schedules the lease expiry as a durable deadline.
     */
    @CommandHandler
    PhaseTokenGrant handle(ClaimTaskCommand command, WorkflowCatalog workflows, PhaseTokenIssuer tokens,
                           DeadlineManager deadlines) {
        requireOrganisation(command.orgId());
        if (status != TaskStatus.CREATED) {
            throw Rejections.command("task_not_claimable", 409, status == TaskStatus.CLAIMED
                    ? "The task is already claimed by another agent."
                    : "The task is " + status.wire() + " and cannot be claimed.");
        }
        requireAll(requiredCapabilities, command.capabilities(), "missing_capabilities", "missing_capabilities",
                "The agent lacks capabilities the task requires: ");
        requireAll(dependsOn, command.completedDependencies(), "dependencies_incomplete", "incomplete_dependencies",
                "The task depends on tasks that are not completed: ");
        WorkflowDefinition workflow = definition(workflows);
        Instant now = GenericEventMessage.clock.instant();
        long generation = tokenGeneration + 1;
        IssuedPhaseToken token = tokens.issue(new PhaseTokenClaims(command.agentId(), taskId, phase, generation,
                workflow.tokenTtlSeconds()));
        Instant lease = now.plusSeconds(workflow.claimLeaseSeconds());
        deadlines.schedule(lease, LEASE_DEADLINE, new LeaseDeadline(generation, lease));
        apply(new TaskClaimedEvent(taskId, orgId, command.agentId(), phase, generation, token.jti(),
                token.expiresAt(), lease, now));
        return new PhaseTokenGrant(token.token(), token.expiresAt(), generation, lease);
    }

    /** Heartbeat: the claimant, holding the current token generation, extends its lease. */
    @CommandHandler
    Instant handle(RenewTaskLeaseCommand command, WorkflowCatalog workflows, DeadlineManager deadlines) {
        requireClaimant(command.agentId(), command.generation());
        Instant now = GenericEventMessage.clock.instant();
        Instant lease = now.plusSeconds(definition(workflows).claimLeaseSeconds());
        deadlines.cancelAllWithinScope(LEASE_DEADLINE);
        deadlines.schedule(lease, LEASE_DEADLINE, new LeaseDeadline(claimGeneration, lease));
        apply(new TaskLeaseRenewedEvent(taskId, orgId, claimedBy, lease, now));
        return lease;
    }

    /** The claimant gives the task back: it is claimable again and the agent's tokens are void. */
    @CommandHandler
    void handle(ReleaseTaskCommand command, DeadlineManager deadlines) {
        requireClaimant(command.agentId(), command.generation());
        deadlines.cancelAllWithinScope(LEASE_DEADLINE);
        apply(new TaskReleasedEvent(taskId, orgId, claimedBy, GenericEventMessage.clock.instant()));
    }

    /**
     * The lease deadline. A renewal, release, completion or cancellation cancels it; one that fires anyway (a race
     * with the cancellation) guards a claim or lease that no longer holds and changes nothing. It is tied to the claim,
     * not to the current token generation, which transitions and refreshes move on.
     */
    @DeadlineHandler(deadlineName = LEASE_DEADLINE)
    void onLeaseDeadline(LeaseDeadline deadline) {
        if (status == TaskStatus.CLAIMED && deadline.generation() == claimGeneration
                && deadline.leaseExpiresAt().equals(leaseExpiresAt)) {
            apply(new TaskClaimExpiredEvent(taskId, orgId, claimedBy, leaseExpiresAt, GenericEventMessage.clock.instant()));
        }
    }

    /**
     * The payload of the lease deadline: the claim it guards (the token generation that the claim issued; later
     * tokens of the same claim do not change it) and the lease expiry.
     */
    record LeaseDeadline(long generation, Instant leaseExpiresAt) {
    }

    /** The claimant, holding the current token, gets a fresh token for the same phase (next generation). */
    @CommandHandler
    PhaseTokenGrant handle(RefreshPhaseTokenCommand command, WorkflowCatalog workflows, PhaseTokenIssuer tokens) {
        requireClaimant(command.agentId(), command.generation());
        long generation = tokenGeneration + 1;
        IssuedPhaseToken token = tokens.issue(new PhaseTokenClaims(claimedBy, taskId, phase, generation,
                definition(workflows).tokenTtlSeconds()));
        apply(new PhaseTokenRefreshedEvent(taskId, orgId, claimedBy, phase, generation, token.jti(),
                token.expiresAt(), GenericEventMessage.clock.instant()));
        return new PhaseTokenGrant(token.token(), token.expiresAt(), generation, leaseExpiresAt);
    }

    /** A human or service cancels a task that is neither completed nor cancelled; a claim ends with it. */
    @CommandHandler
    void handle(CancelTaskCommand command, DeadlineManager deadlines) {
        requireOrganisation(command.orgId());
        if (status == TaskStatus.COMPLETED || status == TaskStatus.CANCELLED) {
            throw Rejections.command("task_not_cancellable", 409,
                    "The task is " + status.wire() + " and cannot be cancelled.");
        }
        deadlines.cancelAllWithinScope(LEASE_DEADLINE);
        apply(new TaskCancelledEvent(taskId, orgId, phase, status == TaskStatus.CLAIMED ? claimedBy : null,
                command.reason(), command.cancelledBy(), GenericEventMessage.clock.instant()));
    }

    // ------------------------------------------------------------------------------------------- transitions

    /**
     * A phase change (SPEC §2.2). Every blocker is collected: a phase that is not the task's ({@code phase_mismatch})
     * or a transition the workflow does not have ({@code unknown_transition}) always blocks; artifact problems and
     * failed gates block in strict workflows and are warnings in permissive ones. A refusal is recorded
     * ({@link TaskTransitionRejectedEvent}) and answered, not thrown. An accepted change issues the next phase token,
     * opens a review round when the new phase requests reviews, and completes the task in a terminal phase.
     */
    @CommandHandler
    TransitionOutcome handle(TransitionTaskCommand command, WorkflowCatalog workflows, PhaseTokenIssuer tokens,
                             ArtifactValidator artifactValidator, GateEvaluator gateEvaluator,
                             DeadlineManager deadlines) {
        requireClaimant(command.agentId(), command.generation());
        WorkflowDefinition workflow = definition(workflows);
        Map<String, Object> artifacts = command.artifacts();
        String target = command.targetPhase();

        List<TransitionBlocker> structural = new ArrayList<>();
        if (!phase.equals(command.currentPhase())) {
            structural.add(TransitionBlocker.of("phase_mismatch", "The task is in phase " + phase
                    + ", not in current_phase " + command.currentPhase() + "."));
        }
        if (!phase.equals(command.tokenPhase())) {
            structural.add(TransitionBlocker.of("phase_mismatch", "The task is in phase " + phase
                    + ", but the phase token is for phase " + command.tokenPhase() + "."));
        }
        Optional<TransitionDefinition> transition = workflow.transitions().stream()
                .filter(t -> t.from().equals(phase) && t.to().equals(target))
                .findFirst();
        if (transition.isEmpty()) {
            structural.add(TransitionBlocker.of("unknown_transition", "Workflow '" + workflow.id() + "' version "
                    + workflow.version() + " has no transition from " + phase + " to " + target + "."));
        }
        List<TransitionBlocker> checks = new ArrayList<>();
        if (transition.isPresent()) {
            for (ArtifactProblem problem : artifactValidator.validateTransition(workflow, transition.get(), artifacts)) {
                checks.add(new TransitionBlocker(problem.code(), problem.message(), problem.artifact(),
                        ArtifactProblem.MISSING_ARTIFACT.equals(problem.code()) ? null : problem.path()));
            }
            for (GateBlocker gate : gateEvaluator.evaluate(workflow, transition.get(), artifacts, reviewState())) {
                checks.add(TransitionBlocker.of(gate.code(), gate.message()));
            }
        }

        Instant now = GenericEventMessage.clock.instant();
        boolean permissive = workflow.enforcement() == Enforcement.PERMISSIVE;
        if (!structural.isEmpty() || !checks.isEmpty() && !permissive) {
            List<TransitionBlocker> blockers = new ArrayList<>(structural);
            blockers.addAll(checks);
            apply(new TaskTransitionRejectedEvent(taskId, orgId, claimedBy, workflowId, workflowVersion, phase,
                    target, artifacts.keySet().stream().sorted().toList(), blockers, now));
            return new TransitionOutcome(false, phase, blockers, List.of(), null);
        }

        String from = phase;
        String agent = claimedBy;
        long generation = tokenGeneration + 1;
        IssuedPhaseToken token = tokens.issue(new PhaseTokenClaims(agent, taskId, target, generation,
                workflow.tokenTtlSeconds()));
        apply(new TaskTransitionedEvent(taskId, orgId, agent, workflowId, workflowVersion, from, target, artifacts,
                checks, generation, token.jti(), token.expiresAt(), now));
        Optional<PhaseDefinition> entered = workflow.phase(target);
        RequestReviews reviews = entered.map(PhaseDefinition::onEnter).map(PhaseDefinition.OnEnter::requestReviews)
                .orElse(null);
        if (reviews != null) {
            apply(new ReviewsRequestedEvent(taskId, orgId, target, reviewRound + 1, reviews.count(), reviews.role(),
                    now));
        }
        Instant lease = leaseExpiresAt;
        if (entered.map(PhaseDefinition::terminal).orElse(false)) {
            deadlines.cancelAllWithinScope(LEASE_DEADLINE);
            apply(new TaskCompletedEvent(taskId, orgId, agent, workflowId, target, now));
            lease = null;
        }
        return new TransitionOutcome(true, target, List.of(), checks,
                new PhaseTokenGrant(token.token(), token.expiresAt(), generation, lease));
    }

    /** The reviews of the latest round if it belongs to the current phase, as the {@code reviews_approved} gate sees them. */
    private ReviewState reviewState() {
        if (!hasOpenReviewRound()) {
            return ReviewState.none();
        }
        List<ReviewState.Verdict> verdicts = reviewVerdicts.values().stream()
                .map(verdict -> ReviewState.Verdict.fromWireName(verdict).orElseThrow())
                .toList();
        return new ReviewState(reviewsRequested, verdicts);
    }

    private boolean hasOpenReviewRound() {
        return reviewRound > 0 && phase.equals(reviewPhase);
    }

    // ------------------------------------------------------------------------------------------------ reviews

    /**
     * A reviewer with the round's role (or {@code admin}), never the claiming agent, submits one verdict on the open
     * review round of the current phase. Answers the review's id.
     */
    @CommandHandler
    String handle(SubmitReviewCommand command) {
        requireOrganisation(command.orgId());
        if (status == TaskStatus.COMPLETED || status == TaskStatus.CANCELLED || !hasOpenReviewRound()) {
            throw Rejections.command("no_review_requested", 409, status == TaskStatus.COMPLETED
                    || status == TaskStatus.CANCELLED ? "The task is " + status.wire() + "; it takes no reviews."
                    : "No review is requested in phase " + phase + ".");
        }
        ReviewState.Verdict verdict = command.verdict() == null ? null
                : ReviewState.Verdict.fromWireName(command.verdict()).orElse(null);
        if (verdict == null) {
            throw Rejections.command("invalid_verdict", 400, "The verdict must be 'approve' or 'changes_requested'.");
        }
        if (reviewRole != null && !command.reviewerRoles().contains(reviewRole)
                && !command.reviewerRoles().contains(ADMIN_ROLE)) {
            throw Rejections.command("reviewer_role_required", 403,
                    "Reviewing this task requires the role '" + reviewRole + "'.", Map.of("role", reviewRole));
        }
        if (Objects.equals(command.reviewerId(), claimedBy)) {
            throw Rejections.command("self_review", 403, "The agent working on the task cannot review it.");
        }
        if (reviewVerdicts.containsKey(command.reviewerId())) {
            throw Rejections.command("already_reviewed", 409, "This reviewer has already reviewed this round.");
        }
        String reviewId = UUID.randomUUID().toString();
        apply(new ReviewSubmittedEvent(taskId, orgId, phase, reviewRound, reviewId, command.reviewerId(),
                verdict.wireName(), command.comments(), GenericEventMessage.clock.instant()));
        return reviewId;
    }

    // --------------------------------------------------------------------------------------------- tool calls

    /**
     * Authorises a tool call against the current phase's tool policy (SPEC §2.4). The hot path: nothing is read but
     * this aggregate and its (memoised) workflow. Exactly one {@link ToolCallDecidedEvent} records the decision with
     * the arguments' digest and redacted summary (both computed here from the arguments, so an approval is bound to
     * what is really called and nothing unredacted is recorded).
     */
    @CommandHandler
    ToolDecision handle(AuthorizeToolCallCommand command, WorkflowCatalog workflows, ToolPolicyEvaluator policies) {
        requireClaimant(command.agentId(), command.generation());
        if (!phase.equals(command.tokenPhase())) {
            throw Rejections.command("token_superseded", 401, "The phase token is for another phase than the task's.");
        }
        WorkflowDefinition workflow = definition(workflows);
        PhaseDefinition.ToolPolicy policy = workflow.phase(phase).map(PhaseDefinition::tools)
                .orElse(PhaseDefinition.ToolPolicy.NONE);
        String callId = command.callId() == null || command.callId().isBlank()
                ? UUID.randomUUID().toString() : command.callId();
        String tool = command.toolName();
        String digest = ToolArguments.digest(command.args());
        Map<String, Object> summary = ToolArguments.summary(command.args());
        Instant now = GenericEventMessage.clock.instant();

        List<Violation> violations = policies.evaluate(phase, policy, tool, command.args());
        List<String> warnings = List.of();
        String decision = ToolDecision.ALLOWED;
        String code = null;
        String reason = null;
        String approvalId = null;
        if (!violations.isEmpty() && workflow.enforcement() == Enforcement.STRICT) {
            decision = ToolDecision.DENIED;
            code = violations.get(0).code();
            reason = String.join("; ", violations.stream().map(Violation::reason).toList());
        } else {
            warnings = violations.stream().map(Violation::describe).toList();
            if (ToolPolicyEvaluator.approvalRequired(policy, tool)) {
                Map.Entry<String, Approval> approval = approvalFor(tool, digest);
                if (approval == null) {
                    approvalId = UUID.randomUUID().toString();
                    apply(new ToolApprovalRequestedEvent(taskId, orgId, claimedBy, phase, approvalId, callId, tool,
                            digest, summary, now));
                    decision = ToolDecision.APPROVAL_REQUIRED;
                    code = "approval_required";
                    reason = "Tool '" + tool + "' needs a human approval of this call; approval " + approvalId
                            + " was requested.";
                } else {
                    approvalId = approval.getKey();
                    switch (approval.getValue().status()) {
                        case GRANTED -> {
                            // allowed; the event uses the approval up
                        }
                        case DENIED -> {
                            decision = ToolDecision.DENIED;
                            code = "approval_denied";
                            reason = "Approval " + approvalId + " of this call of tool '" + tool + "' was denied.";
                        }
                        default -> {
                            decision = ToolDecision.APPROVAL_REQUIRED;
                            code = "approval_required";
                            reason = "Tool '" + tool + "' needs a human approval of this call; approval " + approvalId
                                    + " is pending.";
                        }
                    }
                }
            }
        }
        apply(new ToolCallDecidedEvent(taskId, orgId, claimedBy, workflowId, workflowVersion, phase, callId, tool,
                digest, summary, decision, code, reason, approvalId, warnings, now));
        return new ToolDecision(callId, decision, code, reason, approvalId, warnings);
    }

    /**
     * The approval that decides a call of this tool with these arguments: a granted one not used yet, else a pending
     * one, else a denied one (a denial stands); used approvals do not count. {@code null} when there is none.
     */
    private Map.Entry<String, Approval> approvalFor(String tool, String digest) {
        Map.Entry<String, Approval> pending = null;
        Map.Entry<String, Approval> denied = null;
        for (Map.Entry<String, Approval> entry : approvals.entrySet()) {
            Approval approval = entry.getValue();
            if (!approval.toolName().equals(tool) || !approval.argsDigest().equals(digest)) {
                continue;
            }
            switch (approval.status()) {
                case GRANTED -> {
                    return entry;
                }
                case PENDING -> pending = entry;
                case DENIED -> denied = entry;
                default -> {
                    // used
                }
            }
        }
        return pending != null ? pending : denied;
    }

    /** A human with the {@code admin} role, who is not the agent working on the task, grants or denies an approval. */
    @CommandHandler
    void handle(DecideToolApprovalCommand command) {
        requireOrganisation(command.orgId());
        if (status == TaskStatus.COMPLETED || status == TaskStatus.CANCELLED) {
            throw Rejections.command("task_closed", 409,
                    "The task is " + status.wire() + "; its approvals can no longer be decided.");
        }
        Approval approval = command.approvalId() == null ? null : approvals.get(command.approvalId());
        if (approval == null) {
            throw Rejections.command("approval_not_found", 404, "No such approval.");
        }
        if (approval.status() != ApprovalStatus.PENDING) {
            throw Rejections.command("approval_already_decided", 409, "The approval was already decided.");
        }
        if (!command.deciderRoles().contains(ADMIN_ROLE)) {
            throw Rejections.command("approver_role_required", 403, "Deciding approvals requires the role 'admin'.");
        }
        if (Objects.equals(command.deciderId(), claimedBy) || Objects.equals(command.deciderId(), approval.agentId())) {
            throw Rejections.command("self_approval", 403, "The agent working on the task cannot approve its calls.");
        }
        Instant now = GenericEventMessage.clock.instant();
        if (command.grant()) {
            apply(new ToolApprovalGrantedEvent(taskId, orgId, command.approvalId(), command.deciderId(),
                    command.comment(), now));
        } else {
            apply(new ToolApprovalDeniedEvent(taskId, orgId, command.approvalId(), command.deciderId(),
                    command.comment(), now));
        }
    }

    /**
     * The outcome of an allowed call that waits for one: from the claimant ({@code agent}, holding the current token,
     * in any phase) or from command-service's tool executor ({@code executor}).
     */
    @CommandHandler
    void handle(ReportToolOutcomeCommand command) {
        if (AGENT_SOURCE.equals(command.source())) {
            requireClaimant(command.agentId(), command.generation());
        } else if (!EXECUTOR_SOURCE.equals(command.source())) {
            throw Rejections.command("invalid_outcome_source", 400, "The source must be 'agent' or 'executor'.");
        }
        String tool = command.callId() == null ? null : openCalls.get(command.callId());
        if (tool == null) {
            throw Rejections.command("tool_call_not_found", 404, "No allowed tool call with this id awaits an outcome.");
        }
        if (!"succeeded".equals(command.status()) && !"failed".equals(command.status())) {
            throw Rejections.command("invalid_outcome_status", 400, "The status must be 'succeeded' or 'failed'.");
        }
        apply(new ToolCallOutcomeReportedEvent(taskId, orgId, command.agentId(), command.callId(), tool,
                command.source(), command.status(), ToolArguments.summaryText(command.summary()),
                GenericEventMessage.clock.instant()));
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** Rejects with {@code code} (409) when {@code present} lacks some of {@code required}, listed under {@code listKey}. */
    private static void requireAll(List<String> required, List<String> present, String code, String listKey,
                                   String message) {
        List<String> lacking = required.stream().filter(item -> !present.contains(item)).toList();
        if (!lacking.isEmpty()) {
            throw Rejections.command(code, 409, message + String.join(", ", lacking) + ".", Map.of(listKey, lacking));
        }
    }

    private void requireOrganisation(String callerOrg) {
        if (!orgId.equals(callerOrg)) {
            throw Rejections.command("task_not_found", 404, "No such task.");
        }
    }

    private void requireClaimant(String agentId, long generation) {
        if (status != TaskStatus.CLAIMED || agentId == null || !agentId.equals(claimedBy)) {
            throw Rejections.command("not_claimant", 401, "The task is not claimed by this agent.");
        }
        if (generation != tokenGeneration) {
            throw Rejections.command("token_superseded", 401, "The phase token was superseded by a newer one.");
        }
    }

    private WorkflowDefinition definition(WorkflowCatalog workflows) {
        WorkflowDefinition known = workflow;
        if (known == null) {
            known = workflows.find(orgId, workflowId, workflowVersion)
                    .orElseThrow(() -> new IllegalStateException("Workflow " + workflowId + " v" + workflowVersion
                            + " of task " + taskId + " is missing"));
            workflow = known; // a memo of immutable data, not domain state
        }
        return known;
    }

    // ---------------------------------------------------------------------------------- event sourcing handlers

    @EventSourcingHandler
    void on(TaskCreatedEvent event) {
        taskId = event.taskId();
        orgId = event.orgId();
        status = TaskStatus.CREATED;
        phase = event.phase();
        workflowId = event.workflowId();
        workflowVersion = event.workflowVersion();
        dependsOn = event.dependsOn();
        requiredCapabilities = event.requiredCapabilities();
    }

    @EventSourcingHandler
    void on(TaskClaimedEvent event) {
        status = TaskStatus.CLAIMED;
        claimedBy = event.agentId();
        tokenGeneration = event.tokenGeneration();
        claimGeneration = event.tokenGeneration();
        leaseExpiresAt = event.leaseExpiresAt();
    }

    @EventSourcingHandler
    void on(TaskLeaseRenewedEvent event) {
        leaseExpiresAt = event.leaseExpiresAt();
    }

    @EventSourcingHandler
    void on(TaskReleasedEvent event) {
        endClaim(TaskStatus.CREATED);
    }

    @EventSourcingHandler
    void on(TaskClaimExpiredEvent event) {
        endClaim(TaskStatus.CREATED);
    }

    @EventSourcingHandler
    void on(PhaseTokenRefreshedEvent event) {
        tokenGeneration = event.tokenGeneration();
    }

    @EventSourcingHandler
    void on(TaskTransitionedEvent event) {
        phase = event.toPhase();
        tokenGeneration = event.tokenGeneration();
    }

    @EventSourcingHandler
    void on(TaskCompletedEvent event) {
        endClaim(TaskStatus.COMPLETED);
    }

    @EventSourcingHandler
    void on(TaskCancelledEvent event) {
        endClaim(TaskStatus.CANCELLED);
    }

    private void endClaim(TaskStatus next) {
        status = next;
        claimedBy = null;
        leaseExpiresAt = null;
    }

    @EventSourcingHandler
    void on(ReviewsRequestedEvent event) {
        reviewRound = event.round();
        reviewPhase = event.phase();
        reviewsRequested = event.count();
        reviewRole = event.role();
        reviewVerdicts = new LinkedHashMap<>();
    }

    @EventSourcingHandler
    void on(ReviewSubmittedEvent event) {
        if (event.round() == reviewRound) {
            reviewVerdicts.put(event.reviewerId(), event.verdict());
        }
    }

    @EventSourcingHandler
    void on(ToolApprovalRequestedEvent event) {
        approvals.put(event.approvalId(), new Approval(event.toolName(), event.argsDigest(), event.agentId(),
                ApprovalStatus.PENDING));
    }

    @EventSourcingHandler
    void on(ToolApprovalGrantedEvent event) {
        approvals.computeIfPresent(event.approvalId(), (id, approval) -> approval.with(ApprovalStatus.GRANTED));
    }

    @EventSourcingHandler
    void on(ToolApprovalDeniedEvent event) {
        approvals.computeIfPresent(event.approvalId(), (id, approval) -> approval.with(ApprovalStatus.DENIED));
    }

    @EventSourcingHandler
    void on(ToolCallDecidedEvent event) {
        if (ToolDecision.ALLOWED.equals(event.decision())) {
            openCalls.put(event.callId(), event.toolName());
            if (event.approvalId() != null) {
                approvals.computeIfPresent(event.approvalId(), (id, approval) ->
                        approval.status() == ApprovalStatus.GRANTED ? approval.with(ApprovalStatus.USED) : approval);
            }
        }
    }

    @EventSourcingHandler
    void on(ToolCallOutcomeReportedEvent event) {
        openCalls.remove(event.callId());
    }

    String orgId() {
        return orgId;
    }

    // --------------------------------------------------------------------------------------------- state types

    enum ApprovalStatus { PENDING, GRANTED, DENIED, USED }

    /** A tool approval: which call it covers (tool and argument digest), who asked, and where it stands. */
    record Approval(String toolName, String argsDigest, String agentId, ApprovalStatus status) {
        Approval with(ApprovalStatus next) {
            return new Approval(toolName, argsDigest, agentId, next);
        }
    }

    /** Call id to tool name of the last {@value #MAX_OPEN_CALLS} allowed calls without an outcome yet. */
    static final class OpenCalls extends LinkedHashMap<String, String> {

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > MAX_OPEN_CALLS;
        }
    }
}
