package io.phasegate.command.resource;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import io.phasegate.command.resource.ProviderCalls.Failed;
import io.phasegate.command.resource.ProviderCalls.Outcome;
import io.phasegate.command.resource.ProviderCalls.Succeeded;
import io.phasegate.events.resource.CompleteResourceOperationCommand;
import io.phasegate.events.resource.FailResourceOperationCommand;
import io.phasegate.events.resource.RecordOperationAttemptFailureCommand;
import io.phasegate.events.resource.ResourceDeprovisionedEvent;
import io.phasegate.events.resource.ResourceDeprovisioningRequestedEvent;
import io.phasegate.events.resource.ResourceImportedEvent;
import io.phasegate.events.resource.ResourceOperation;
import io.phasegate.events.resource.ResourceOperationFailedEvent;
import io.phasegate.events.resource.ResourceProvisionedEvent;
import io.phasegate.events.resource.ResourceProvisioningRequestedEvent;
import io.phasegate.events.resource.ResourceType;
import io.phasegate.events.resource.ResourceUpdateRequestedEvent;
import io.phasegate.events.resource.ResourceUpdatedEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.deadline.DeadlineManager;
import org.axonframework.deadline.annotation.DeadlineHandler;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.modelling.saga.EndSaga;
import org.axonframework.modelling.saga.SagaEventHandler;
import org.axonframework.modelling.saga.StartSaga;
import org.axonframework.spring.stereotype.Saga;

/**
 * The provisioning process of one resource, from its provisioning request (or import) to its deprovisioning: it runs
 * each operation the {@link Resource} accepts (provision, update, deprovision) against the dock's adapter and reports
 * the outcome back to the resource. See docs/adr/0010-resource-provisioning.md.
 *
 * <ul>
 *   <li>Every provider call carries the operation id as its idempotency key and is bounded by the call time-out.</li>
 *   <li>A retryable failure or a time-out is recorded ({@link RecordOperationAttemptFailureCommand}) and the next
 *   attempt is a durable deadline after an exponential, jittered back-off; a permanent failure or the last allowed
 *   attempt ends the operation ({@link FailResourceOperationCommand}); success completes it
 *   ({@link CompleteResourceOperationCommand}).</li>
 *   <li>Crash safety: nothing of an attempt is committed before the provider call returns — the saga's state, the
 *   reporting command's events and the event processor's token (or db-scheduler's execution) commit together after
 *   it. A process killed during or after the call therefore gets the request event redelivered (or the deadline
 *   re-run) after the restart, calls the provider again with the same key, and the adapter answers with the
 *   resource it already made. Reports about an operation that already ended are ignored by the resource.</li>
 *   <li>No aggregate lock is held during a provider call: the resource is only loaded when the outcome is reported.</li>
 * </ul>
 * The state is serialized as JSON by the JDBC saga store (fields, no getters).
 */
@Saga
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.ANY, getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE, setterVisibility = JsonAutoDetect.Visibility.NONE,
        creatorVisibility = JsonAutoDetect.Visibility.NONE)
public class ResourceProvisioning {

    static final String ATTEMPT_DEADLINE = "resource-operation-attempt";
    private static final String RESOURCE_ID = "resourceId";
    /** How many ended operations are remembered to recognise redelivered requests. */
    private static final int REMEMBERED_OPERATIONS = 20;

    private String resourceId;
    private String orgId;
    private String dockId;
    private ResourceType type;
    private String name;
    private String providerResourceId;
    /** The operation under way, {@code null} between operations. */
    private Operation current;
    /** Ids of the operations that ended, oldest first. */
    private List<String> ended = new ArrayList<>();

    public ResourceProvisioning() {
        // for Axon and the saga store
    }

    /** An operation under way: what it asks, on whose behalf, and how many provider calls it made so far. */
    record Operation(String operationId, ResourceOperation kind, Map<String, Object> spec, String actor,
                     int attempts) {
        Operation withAttempts(int made) {
            return new Operation(operationId, kind, spec, actor, made);
        }
    }

    /** The payload of the deadline that makes attempt {@code attempt} of an operation. */
    record AttemptDue(String operationId, int attempt) {
    }

    // ------------------------------------------------------------------------------------------------ requests

    @StartSaga
    @SagaEventHandler(associationProperty = RESOURCE_ID)
    void on(ResourceProvisioningRequestedEvent event, ProviderCalls calls, CommandGateway commands,
            DeadlineManager deadlines) {
        remember(event.resourceId(), event.orgId(), event.dockId(), event.type(), event.name());
        start(new Operation(event.operationId(), ResourceOperation.PROVISION, event.spec(), event.requestedBy(), 0),
                calls, commands, deadlines);
    }

    @StartSaga
    @SagaEventHandler(associationProperty = RESOURCE_ID)
    void on(ResourceImportedEvent event) {
        remember(event.resourceId(), event.orgId(), event.dockId(), event.type(), event.name());
        providerResourceId = event.providerResourceId();
    }

    @SagaEventHandler(associationProperty = RESOURCE_ID)
    void on(ResourceUpdateRequestedEvent event, ProviderCalls calls, CommandGateway commands,
            DeadlineManager deadlines) {
        start(new Operation(event.operationId(), ResourceOperation.UPDATE, event.spec(), event.requestedBy(), 0),
                calls, commands, deadlines);
    }

    @SagaEventHandler(associationProperty = RESOURCE_ID)
    void on(ResourceDeprovisioningRequestedEvent event, ProviderCalls calls, CommandGateway commands,
            DeadlineManager deadlines) {
        if (event.providerResourceId() != null) {
            providerResourceId = event.providerResourceId();
        }
        Operation operation = new Operation(event.operationId(), ResourceOperation.DEPROVISION, Map.of(),
                event.requestedBy(), 0);
        if (providerResourceId == null) {
            // nothing was created at the provider (the provisioning failed): done without a provider call
            if (!ended.contains(operation.operationId())) {
                commands.sendAndWait(new CompleteResourceOperationCommand(resourceId, orgId, operation.operationId(),
                        null, Map.of()));
                end(operation.operationId(), deadlines);
            }
            return;
        }
        start(operation, calls, commands, deadlines);
    }

    /** The next attempt of the current operation is due (a durable deadline; re-run after a crash). */
    @DeadlineHandler(deadlineName = ATTEMPT_DEADLINE)
    void on(AttemptDue due, ProviderCalls calls, CommandGateway commands, DeadlineManager deadlines) {
        if (current == null || !current.operationId().equals(due.operationId()) || current.attempts() >= due.attempt()) {
            return; // the operation ended, or this attempt was already made (a redelivered request made it)
        }
        attempt(calls, commands, deadlines);
    }

    // ------------------------------------------------------------------------------------ outcomes, as recorded

    @SagaEventHandler(associationProperty = RESOURCE_ID)
    void on(ResourceProvisionedEvent event, DeadlineManager deadlines) {
        providerResourceId = event.providerResourceId();
        end(event.operationId(), deadlines);
    }

    @SagaEventHandler(associationProperty = RESOURCE_ID)
    void on(ResourceUpdatedEvent event, DeadlineManager deadlines) {
        end(event.operationId(), deadlines);
    }

    @SagaEventHandler(associationProperty = RESOURCE_ID)
    void on(ResourceOperationFailedEvent event, DeadlineManager deadlines) {
        end(event.operationId(), deadlines);
    }

    @EndSaga
    @SagaEventHandler(associationProperty = RESOURCE_ID)
    void on(ResourceDeprovisionedEvent event, DeadlineManager deadlines) {
        end(event.operationId(), deadlines);
    }

    // ---------------------------------------------------------------------------------------------- the process

    private void remember(String resource, String organisation, String dock, ResourceType kind, String resourceName) {
        resourceId = resource;
        orgId = organisation;
        dockId = dock;
        type = kind;
        name = resourceName;
    }

    /**
     * Runs the first attempt of an operation. A request that is delivered again (after a crash, before the saga's
     * state was stored, or as a duplicate) runs another attempt of the same operation with the same idempotency key;
     * one for an operation that already ended does nothing.
     */
    private void start(Operation operation, ProviderCalls calls, CommandGateway commands, DeadlineManager deadlines) {
        if (ended.contains(operation.operationId())) {
            return;
        }
        if (current == null || !current.operationId().equals(operation.operationId())) {
            deadlines.cancelAllWithinScope(ATTEMPT_DEADLINE);
            current = operation;
        }
        attempt(calls, commands, deadlines);
    }

    private void attempt(ProviderCalls calls, CommandGateway commands, DeadlineManager deadlines) {
        Operation operation = current.withAttempts(current.attempts() + 1);
        current = operation;
        int attempt = operation.attempts();
        Outcome outcome = calls.run(new ProviderCalls.Call(orgId, dockId, resourceId, operation.kind(),
                operation.operationId(), type, name, operation.spec(), providerResourceId, operation.actor()));
        if (outcome instanceof Succeeded success) {
            if (operation.kind() == ResourceOperation.PROVISION) {
                providerResourceId = success.resource().providerResourceId();
            }
            commands.sendAndWait(new CompleteResourceOperationCommand(resourceId, orgId, operation.operationId(),
                    success.resource().providerResourceId(), success.resource().attributes()));
            end(operation.operationId(), deadlines);
            return;
        }
        Failed failure = (Failed) outcome;
        int maxAttempts = calls.properties().maxAttempts();
        if (!failure.retryable() || attempt >= maxAttempts) {
            String reason = failure.retryable()
                    ? failure.reason() + " (gave up after " + attempt + (attempt == 1 ? " attempt)" : " attempts)")
                    : failure.reason();
            commands.sendAndWait(new FailResourceOperationCommand(resourceId, orgId, operation.operationId(), reason,
                    attempt));
            end(operation.operationId(), deadlines);
            return;
        }
        Duration pause = calls.backoff(attempt);
        Instant nextAttemptAt = GenericEventMessage.clock.instant().plus(pause);
        commands.sendAndWait(new RecordOperationAttemptFailureCommand(resourceId, orgId, operation.operationId(),
                attempt, failure.reason(), nextAttemptAt));
        deadlines.schedule(pause, ATTEMPT_DEADLINE, new AttemptDue(operation.operationId(), attempt + 1));
    }

    private void end(String operationId, DeadlineManager deadlines) {
        if (current != null && current.operationId().equals(operationId)) {
            current = null;
            deadlines.cancelAllWithinScope(ATTEMPT_DEADLINE);
        }
        if (!ended.contains(operationId)) {
            ended.add(operationId);
            while (ended.size() > REMEMBERED_OPERATIONS) {
                ended.remove(0);
            }
        }
    }
}
