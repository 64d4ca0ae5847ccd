package io.phasegate.platform.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.phasegate.events.resource.ResourceDeprovisionedEvent;
import io.phasegate.events.resource.ResourceOperation;
import io.phasegate.events.resource.ResourceOperationAttemptFailedEvent;
import io.phasegate.events.resource.ResourceOperationFailedEvent;
import io.phasegate.events.resource.ResourceProvisionedEvent;
import io.phasegate.events.resource.ResourceUpdatedEvent;
import io.phasegate.events.tool.ToolCallDecidedEvent;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;

/**
 * Counts the events this instance publishes, once each, when their unit of work has committed (events of a
 * rolled-back command are not counted). Subscribed to the event bus, so it counts where events are produced
 * (command-service) and replays never count twice:
 * <ul>
 *   <li>{@value #EVENTS}{@code {type}}: every event, by its simple class name;</li>
 *   <li>{@value #TOOL_DECISIONS}{@code {decision}}: {@code ToolCallDecidedEvent} by decision ({@code allowed},
 *   {@code denied}, {@code approval_required});</li>
 *   <li>{@value #PROVISIONING}{@code {operation, outcome}}: resource operations ({@code provision}, {@code update},
 *   {@code deprovision}) that {@code succeeded}, {@code failed} for good, or had an {@code attempt_failed} (retried).
 *   </li>
 * </ul>
 * Tag values come from closed sets (class names of the published language, enums); never identifiers.
 */
public class EventMetrics implements Consumer<List<? extends EventMessage<?>>> {

    public static final String EVENTS = "phasegate.events";
    public static final String TOOL_DECISIONS = "phasegate.tool.decisions";
    public static final String PROVISIONING = "phasegate.provisioning.outcomes";

    private static final Set<String> DECISIONS = Set.of("allowed", "denied", "approval_required");

    private final MeterRegistry registry;

    public EventMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void accept(List<? extends EventMessage<?>> events) {
        List<? extends EventMessage<?>> published = List.copyOf(events);
        if (CurrentUnitOfWork.isStarted()) {
            CurrentUnitOfWork.get().afterCommit(u -> count(published));
        } else {
            count(published);
        }
    }

    void count(List<? extends EventMessage<?>> events) {
        for (EventMessage<?> event : events) {
            count(event.getPayload());
        }
    }

    void count(Object payload) {
        if (payload == null) {
            return;
        }
        Counter.builder(EVENTS).description("Events published, by type")
                .tag("type", payload.getClass().getSimpleName()).register(registry).increment();
        if (payload instanceof ToolCallDecidedEvent decided) {
            String decision = DECISIONS.contains(decided.decision()) ? decided.decision() : "other";
            Counter.builder(TOOL_DECISIONS).description("Tool calls decided, by decision")
                    .tag("decision", decision).register(registry).increment();
        } else if (payload instanceof ResourceProvisionedEvent) {
            provisioning(ResourceOperation.PROVISION, "succeeded");
        } else if (payload instanceof ResourceUpdatedEvent) {
            provisioning(ResourceOperation.UPDATE, "succeeded");
        } else if (payload instanceof ResourceDeprovisionedEvent) {
            provisioning(ResourceOperation.DEPROVISION, "succeeded");
        } else if (payload instanceof ResourceOperationFailedEvent failed) {
            provisioning(failed.operation(), "failed");
        } else if (payload instanceof ResourceOperationAttemptFailedEvent attempt) {
            provisioning(attempt.operation(), "attempt_failed");
        }
    }

    private void provisioning(ResourceOperation operation, String outcome) {
        Counter.builder(PROVISIONING).description("Resource operations, by operation and outcome")
                .tag("operation", operation == null ? "unknown" : operation.wire())
                .tag("outcome", outcome).register(registry).increment();
    }
}
