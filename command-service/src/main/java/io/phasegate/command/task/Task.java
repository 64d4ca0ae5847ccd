package io.phasegate.command.task;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import io.phasegate.command.workflow.WorkflowCatalog;
import io.phasegate.command.token.IssuedPhaseToken;
import io.phasegate.command.token.PhaseTokenClaims;
import io.phasegate.command.token.PhaseTokenIssuer;
import io.phasegate.events.task.ClaimTaskCommand;
import io.phasegate.events.task.CreateTaskCommand;
import io.phasegate.events.task.PhaseTokenGrant;
import io.phasegate.events.task.ReleaseTaskCommand;
import io.phasegate.events.task.RenewTaskLeaseCommand;
import io.phasegate.events.task.TaskClaimExpiredEvent;
import io.phasegate.events.task.TaskClaimedEvent;
import io.phasegate.events.task.TaskLeaseRenewedEvent;
import io.phasegate.events.task.TaskReleasedEvent;
import io.phasegate.events.task.TaskCreatedEvent;
import io.phasegate.events.task.TaskStatus;
import io.phasegate.events.workflow.WorkflowDefinition;
import io.phasegate.platform.axon.Rejections;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.deadline.DeadlineManager;
import org.axonframework.deadline.annotation.DeadlineHandler;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.spring.stereotype.Aggregate;

/** A unit of agent work that follows one workflow version through its phases (SPEC §2.2). */
@Aggregate
class Task {

    static final String LEASE_DEADLINE = "task-lease";

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
    private Instant leaseExpiresAt;

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
        deadlines.schedule(lease, LEASE_DEADLINE, new LeaseDeadline(tokenGeneration, lease));
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
     * The lease deadline. A renewal or release cancels it; one that fires anyway (a race with the cancellation)
     * guards a claim or lease that no longer holds and changes nothing.
     */
    @DeadlineHandler(deadlineName = LEASE_DEADLINE)
    void onLeaseDeadline(LeaseDeadline deadline) {
        if (status == TaskStatus.CLAIMED && deadline.generation() == tokenGeneration
                && deadline.leaseExpiresAt().equals(leaseExpiresAt)) {
            apply(new TaskClaimExpiredEvent(taskId, orgId, claimedBy, leaseExpiresAt, GenericEventMessage.clock.instant()));
        }
    }

    /** The payload of the lease deadline: the claim (token generation) and lease expiry it guards. */
    record LeaseDeadline(long generation, Instant leaseExpiresAt) {
    }

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
        if (status != TaskStatus.CLAIMED || !agentId.equals(claimedBy)) {
            throw Rejections.command("not_claimant", 401, "The task is not claimed by this agent.");
        }
        if (generation != tokenGeneration) {
            throw Rejections.command("token_superseded", 401, "The phase token was superseded by a newer one.");
        }
    }

    private WorkflowDefinition definition(WorkflowCatalog workflows) {
        return workflows.find(orgId, workflowId, workflowVersion)
                .orElseThrow(() -> new IllegalStateException("Workflow " + workflowId + " v" + workflowVersion
                        + " of task " + taskId + " is missing"));
    }

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
        leaseExpiresAt = event.leaseExpiresAt();
    }

    @EventSourcingHandler
    void on(TaskLeaseRenewedEvent event) {
        leaseExpiresAt = event.leaseExpiresAt();
    }

    @EventSourcingHandler
    void on(TaskReleasedEvent event) {
        status = TaskStatus.CREATED;
        claimedBy = null;
        leaseExpiresAt = null;
    }

    @EventSourcingHandler
    void on(TaskClaimExpiredEvent event) {
        status = TaskStatus.CREATED;
        claimedBy = null;
        leaseExpiresAt = null;
    }

    String orgId() {
        return orgId;
    }
}
