package io.phasegate.platform.observability;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.phasegate.events.resource.ResourceOperation;
import io.phasegate.events.resource.ResourceOperationFailedEvent;
import io.phasegate.events.resource.ResourceProvisionedEvent;
import io.phasegate.events.tool.ToolCallDecidedEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventhandling.SimpleEventBus;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.junit.jupiter.api.Test;

/** The event counters, subscribed to a real event bus, counting committed events only. */
class EventMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final SimpleEventBus bus = SimpleEventBus.builder().build();

    EventMetricsTest() {
        bus.subscribe(new EventMetrics(registry));
    }

    @Test
    void eventsAreCountedByTypeAndToolDecisionsAndProvisioningOutcomesSpecifically() {
        bus.publish(GenericEventMessage.asEventMessage(decided("allowed")),
                GenericEventMessage.asEventMessage(decided("allowed")),
                GenericEventMessage.asEventMessage(decided("denied")),
                GenericEventMessage.asEventMessage(decided("approval_required")),
                GenericEventMessage.asEventMessage(new ResourceProvisionedEvent("r-1", "acme", "op-1", "prov-1", 1,
                        Map.of(), Instant.now())),
                GenericEventMessage.asEventMessage(new ResourceOperationFailedEvent("r-2", "acme", "op-2",
                        ResourceOperation.DEPROVISION, "provider unreachable", 5, 3, Instant.now())));

        assertThat(count(EventMetrics.EVENTS, "type", "ToolCallDecidedEvent")).isEqualTo(4);
        assertThat(count(EventMetrics.EVENTS, "type", "ResourceProvisionedEvent")).isEqualTo(1);
        assertThat(count(EventMetrics.TOOL_DECISIONS, "decision", "allowed")).isEqualTo(2);
        assertThat(count(EventMetrics.TOOL_DECISIONS, "decision", "denied")).isEqualTo(1);
        assertThat(count(EventMetrics.TOOL_DECISIONS, "decision", "approval_required")).isEqualTo(1);
        Counter provisioned = registry.find(EventMetrics.PROVISIONING)
                .tags("operation", "provision", "outcome", "succeeded").counter();
        assertThat(provisioned).isNotNull();
        assertThat(provisioned.count()).isEqualTo(1);
        assertThat(registry.find(EventMetrics.PROVISIONING).tags("operation", "deprovision", "outcome", "failed")
                .counter().count()).isEqualTo(1);
    }

    @Test
    void eventsOfARolledBackUnitOfWorkAreNotCountedAndCommittedOnesOnlyAfterTheCommit() {
        UnitOfWork<?> rolledBack = DefaultUnitOfWork.startAndGet(null);
        bus.publish(GenericEventMessage.asEventMessage(decided("denied")));
        rolledBack.rollback();
        assertThat(count(EventMetrics.TOOL_DECISIONS, "decision", "denied")).isZero();

        UnitOfWork<?> committed = DefaultUnitOfWork.startAndGet(null);
        bus.publish(GenericEventMessage.asEventMessage(decided("denied")));
        assertThat(count(EventMetrics.TOOL_DECISIONS, "decision", "denied")).isZero();
        committed.commit();
        assertThat(count(EventMetrics.TOOL_DECISIONS, "decision", "denied")).isEqualTo(1);
    }

    @Test
    void anUnknownDecisionDoesNotBecomeATagValue() {
        bus.publish(GenericEventMessage.asEventMessage(decided("task-7f3a")));
        assertThat(count(EventMetrics.TOOL_DECISIONS, "decision", "other")).isEqualTo(1);
        assertThat(registry.find(EventMetrics.TOOL_DECISIONS).tag("decision", "task-7f3a").counter()).isNull();
    }

    private double count(String name, String tag, String value) {
        Counter counter = registry.find(name).tag(tag, value).counter();
        return counter == null ? 0 : counter.count();
    }

    private static ToolCallDecidedEvent decided(String decision) {
        return new ToolCallDecidedEvent("task-1", "acme", "agent-1", "wf", 1, "red", "call-1", "run_tests", "sha256:00",
                Map.of(), decision, null, null, null, List.of(), Instant.now());
    }
}
