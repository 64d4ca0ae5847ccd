package io.phasegate.command.resource;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

import io.phasegate.events.resource.CompleteResourceOperationCommand;
import io.phasegate.events.resource.DeprovisionResourceCommand;
import io.phasegate.events.resource.FailResourceOperationCommand;
import io.phasegate.events.resource.ImportResourceCommand;
import io.phasegate.events.resource.ProvisionResourceCommand;
import io.phasegate.events.resource.ProvisioningSource;
import io.phasegate.events.resource.RecordOperationAttemptFailureCommand;
import io.phasegate.events.resource.ResourceDeprovisionedEvent;
import io.phasegate.events.resource.ResourceDeprovisioningRequestedEvent;
import io.phasegate.events.resource.ResourceImportedEvent;
import io.phasegate.events.resource.ResourceOperation;
import io.phasegate.events.resource.ResourceOperationAttemptFailedEvent;
import io.phasegate.events.resource.ResourceOperationFailedEvent;
import io.phasegate.events.resource.ResourceProvisionedEvent;
import io.phasegate.events.resource.ResourceProvisioningRequestedEvent;
import io.phasegate.events.resource.ResourceState;
import io.phasegate.events.resource.ResourceUpdateRequestedEvent;
import io.phasegate.events.resource.ResourceUpdatedEvent;
import io.phasegate.events.resource.UpdateResourceCommand;
import io.phasegate.platform.axon.Rejections;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateCreationPolicy;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.modelling.command.CreationPolicy;
import org.axonframework.spring.stereotype.Aggregate;

/**
 * A resource at a provider, managed through a dock (SPEC §2.7). States:
 * <pre>
 * provisioning → provisioned | failed
 * provisioned  → updating → provisioned | failed
 * provisioned | failed → deprovisioning → deprovisioned | failed
 * </pre>
 * The aggregate never calls a provider: it accepts requests (each one a new operation with a fresh id and, for updates
 * and deprovisions, the next revision), and records what the provisioning process reports for the current operation.
 * Reports about any other operation (duplicates, stale ones) are ignored without an error, so that a process that is
 * redelivered an event or re-runs a deadline never loops on a rejection.
 */
@Aggregate
class Resource {

    @AggregateIdentifier
    private String resourceId;
    private String orgId;
    private String dockId;
    private ResourceState state;
    private long revision;
    private String providerResourceId;
    /** The operation under way (or the last one, once it ended) and its kind. */
    private String operationId;
    private ResourceOperation operation;
    /** The highest attempt number recorded as failed for the current operation. */
    private int failedAttempts;

    Resource() {
        // for Axon
    }

    // ------------------------------------------------------------------------------------------------- requests

    /** Provision through a dock of the same organisation; the provisioning process takes it from here. */
    @CommandHandler
    @CreationPolicy(AggregateCreationPolicy.CREATE_IF_MISSING)
    OperationAccepted handle(ProvisionResourceCommand command, ResourceDocks docks) {
        requireNew(command.orgId());
        requireValid(ResourceRules.checkType(command.type()), ResourceRules.checkName(command.name()),
                ResourceRules.checkSpec(command.spec()));
        requireDock(docks, command.orgId(), command.dockId());
        String operation = UUID.randomUUID().toString();
        apply(new ResourceProvisioningRequestedEvent(command.resourceId(), command.orgId(), command.dockId(),
                command.type(), command.name(), command.spec(), ProvisioningSource.API, operation, 1,
                command.requestedBy(), now()));
        return new OperationAccepted(command.resourceId(), operation, ResourceState.PROVISIONING, 1);
    }

    /** Bring an existing provider resource under management ({@code manual} or {@code import}); no provider call. */
    @CommandHandler
    @CreationPolicy(AggregateCreationPolicy.CREATE_IF_MISSING)
    OperationAccepted handle(ImportResourceCommand command, ResourceDocks docks) {
        requireNew(command.orgId());
        List<ResourceRules.Problem> source = command.source() == null || command.source() == ProvisioningSource.API
                ? List.of(new ResourceRules.Problem("provisioning_source", "must be import or manual")) : List.of();
        requireValid(ResourceRules.checkType(command.type()), ResourceRules.checkName(command.name()),
                ResourceRules.checkSpec(command.spec()),
                ResourceRules.checkProviderResourceId(command.providerResourceId()), source);
        requireDock(docks, command.orgId(), command.dockId());
        apply(new ResourceImportedEvent(command.resourceId(), command.orgId(), command.dockId(), command.type(),
                command.name(), command.spec(), command.providerResourceId(), command.source(), command.importedBy(),
                now()));
        return new OperationAccepted(command.resourceId(), null, ResourceState.PROVISIONED, 1);
    }

    /** Change the spec of a provisioned resource; the caller must know the current revision. */
    @CommandHandler
    OperationAccepted handle(UpdateResourceCommand command) {
        requireOrganisation(command.orgId());
        requireRevision(command.expectedRevision());
        requireState("updated", ResourceState.PROVISIONED);
        requireValid(ResourceRules.checkSpec(command.spec()));
        String operation = UUID.randomUUID().toString();
        long next = revision + 1;
        apply(new ResourceUpdateRequestedEvent(resourceId, orgId, dockId, operation, command.spec(), next,
                command.requestedBy(), now()));
        return new OperationAccepted(resourceId, operation, ResourceState.UPDATING, next);
    }

    /** Delete a provisioned or failed resource at the provider; the revision is checked when given. */
    @CommandHandler
    OperationAccepted handle(DeprovisionResourceCommand command) {
        requireOrganisation(command.orgId());
        if (command.expectedRevision() != null) {
            requireRevision(command.expectedRevision());
        }
        requireState("deprovisioned", ResourceState.PROVISIONED, ResourceState.FAILED);
        String operation = UUID.randomUUID().toString();
        long next = revision + 1;
        apply(new ResourceDeprovisioningRequestedEvent(resourceId, orgId, dockId, operation, providerResourceId, next,
                command.requestedBy(), now()));
        return new OperationAccepted(resourceId, operation, ResourceState.DEPROVISIONING, next);
    }

    // ------------------------------------------------------------------------------------ reports of the process

    /** A failed attempt of the current operation; duplicates and reports about other operations are ignored. */
    @CommandHandler
    void handle(RecordOperationAttemptFailureCommand command) {
        requireOrganisation(command.orgId());
        if (!isCurrent(command.operationId()) || command.attempt() <= failedAttempts) {
            return;
        }
        apply(new ResourceOperationAttemptFailedEvent(resourceId, orgId, operationId, operation, command.attempt(),
                ResourceRules.reason(command.reason()), command.nextAttemptAt(), now()));
    }

    /** The provider finished the current operation; a repeated or stale completion is ignored. */
    @CommandHandler
    void handle(CompleteResourceOperationCommand command) {
        requireOrganisation(command.orgId());
        if (!isCurrent(command.operationId())) {
            return;
        }
        Instant now = now();
        switch (operation) {
            case PROVISION -> {
                if (command.providerResourceId() == null || command.providerResourceId().isBlank()) {
                    throw Rejections.command("provider_resource_id_required", 400,
                            "A completed provisioning must name the provider's resource id.");
                }
                apply(new ResourceProvisionedEvent(resourceId, orgId, operationId, command.providerResourceId(),
                        revision, command.attributes(), now));
            }
            case UPDATE -> apply(new ResourceUpdatedEvent(resourceId, orgId, operationId, revision,
                    command.attributes(), now));
            case DEPROVISION -> apply(new ResourceDeprovisionedEvent(resourceId, orgId, operationId, revision, now));
        }
    }

    /** The current operation failed for good: the resource is {@code failed} with the reason. */
    @CommandHandler
    void handle(FailResourceOperationCommand command) {
        requireOrganisation(command.orgId());
        if (!isCurrent(command.operationId())) {
            return;
        }
        apply(new ResourceOperationFailedEvent(resourceId, orgId, operationId, operation,
                ResourceRules.reason(command.reason()), Math.max(command.attempts(), failedAttempts), revision, now()));
    }

    // -------------------------------------------------------------------------------------------------- rules

    private boolean isCurrent(String reportedOperation) {
        return reportedOperation != null && reportedOperation.equals(operationId) && inProgress();
    }

    private boolean inProgress() {
        return state == ResourceState.PROVISIONING || state == ResourceState.UPDATING
                || state == ResourceState.DEPROVISIONING;
    }

    private void requireNew(String callerOrg) {
        if (state != null) {
            requireOrganisation(callerOrg);
            throw Rejections.command("resource_exists", 409, "A resource with this id already exists.");
        }
    }

    private void requireOrganisation(String callerOrg) {
        if (orgId == null || !orgId.equals(callerOrg)) {
            throw Rejections.command("resource_not_found", 404, "No such resource.");
        }
    }

    private void requireRevision(long expected) {
        if (expected != revision) {
            throw Rejections.command("stale_revision", 409, "The resource is at revision " + revision
                    + ", not " + expected + "; read it again and retry.", Map.of("current_revision", revision));
        }
    }

    private void requireState(String verb, ResourceState... allowed) {
        for (ResourceState candidate : allowed) {
            if (state == candidate) {
                return;
            }
        }
        throw Rejections.command("invalid_state", 409, "The resource is " + state.wire() + " and cannot be " + verb
                + " now.", Map.of("state", state.wire()));
    }

    private static void requireDock(ResourceDocks docks, String orgId, String dockId) {
        if (dockId == null || docks.find(orgId, dockId).isEmpty()) {
            throw Rejections.command("dock_not_found", 404, "No such dock.");
        }
    }

    @SafeVarargs
    private static void requireValid(List<ResourceRules.Problem>... checks) {
        List<Map<String, String>> problems = new ArrayList<>();
        for (List<ResourceRules.Problem> check : checks) {
            check.forEach(p -> problems.add(Map.of("field", p.field(), "message", p.message())));
        }
        if (!problems.isEmpty()) {
            throw Rejections.command("validation_failed", 400, "The request has invalid fields.",
                    Map.of("problems", List.copyOf(problems)));
        }
    }

    private static Instant now() {
        return GenericEventMessage.clock.instant();
    }

    // ------------------------------------------------------------------------------------------ event sourcing

    @EventSourcingHandler
    void on(ResourceProvisioningRequestedEvent event) {
        resourceId = event.resourceId();
        orgId = event.orgId();
        dockId = event.dockId();
        revision = event.revision();
        begin(ResourceState.PROVISIONING, ResourceOperation.PROVISION, event.operationId());
    }

    @EventSourcingHandler
    void on(ResourceImportedEvent event) {
        resourceId = event.resourceId();
        orgId = event.orgId();
        dockId = event.dockId();
        revision = 1;
        providerResourceId = event.providerResourceId();
        state = ResourceState.PROVISIONED;
    }

    @EventSourcingHandler
    void on(ResourceUpdateRequestedEvent event) {
        revision = event.revision();
        begin(ResourceState.UPDATING, ResourceOperation.UPDATE, event.operationId());
    }

    @EventSourcingHandler
    void on(ResourceDeprovisioningRequestedEvent event) {
        revision = event.revision();
        begin(ResourceState.DEPROVISIONING, ResourceOperation.DEPROVISION, event.operationId());
    }

    private void begin(ResourceState next, ResourceOperation kind, String id) {
        state = next;
        operation = kind;
        operationId = id;
        failedAttempts = 0;
    }

    @EventSourcingHandler
    void on(ResourceOperationAttemptFailedEvent event) {
        failedAttempts = Math.max(failedAttempts, event.attempt());
    }

    @EventSourcingHandler
    void on(ResourceProvisionedEvent event) {
        providerResourceId = event.providerResourceId();
        state = ResourceState.PROVISIONED;
    }

    @EventSourcingHandler
    void on(ResourceUpdatedEvent event) {
        state = ResourceState.PROVISIONED;
    }

    @EventSourcingHandler
    void on(ResourceDeprovisionedEvent event) {
        state = ResourceState.DEPROVISIONED;
    }

    @EventSourcingHandler
    void on(ResourceOperationFailedEvent event) {
        state = ResourceState.FAILED;
    }
}
