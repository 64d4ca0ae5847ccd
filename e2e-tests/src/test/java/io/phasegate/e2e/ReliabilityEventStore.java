package io.phasegate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The event store of a running {@link PhasegateSystem}, read straight from {@code eventstore.domain_event_entry} for
 * the reliability tests: every aggregate's events in sequence order, gaplessness checks, and the fold of a task's
 * events into the few fields the query side shows.
 */
final class ReliabilityEventStore {

    /** One stored event. */
    record StoredEvent(long globalIndex, String aggregateId, long sequence, String type, JsonNode payload) {
    }

    /** What a task's events say about it: the fold the query side must agree with. */
    record FoldedTask(String taskId, String status, String phase, String claimedBy, long lastPosition, int events) {
    }

    private final Map<String, List<StoredEvent>> byAggregate = new LinkedHashMap<>();

    private ReliabilityEventStore() {
    }

    /** Reads every event of aggregates of {@code aggregateType} (e.g. {@code Task}), ordered by aggregate and sequence. */
    static ReliabilityEventStore read(PhasegateSystem system, String aggregateType) {
        ReliabilityEventStore store = new ReliabilityEventStore();
        List<Map<String, Object>> rows = system.queryForRows("SELECT global_index, aggregate_identifier, "
                + "sequence_number, payload_type, payload FROM eventstore.domain_event_entry WHERE type = ? "
                + "ORDER BY aggregate_identifier, sequence_number", aggregateType);
        for (Map<String, Object> row : rows) {
            String payloadType = String.valueOf(row.get("payload_type"));
            String simple = payloadType.substring(payloadType.lastIndexOf('.') + 1);
            byte[] payload = (byte[]) row.get("payload");
            StoredEvent event = new StoredEvent(((Number) row.get("global_index")).longValue(),
                    String.valueOf(row.get("aggregate_identifier")), ((Number) row.get("sequence_number")).longValue(),
                    simple, Http.JSON.readTree(new String(payload, StandardCharsets.UTF_8)));
            store.byAggregate.computeIfAbsent(event.aggregateId(), k -> new ArrayList<>()).add(event);
        }
        return store;
    }

    Map<String, List<StoredEvent>> aggregates() {
        return byAggregate;
    }

    List<StoredEvent> events(String aggregateId) {
        return byAggregate.getOrDefault(aggregateId, List.of());
    }

    long count(String aggregateId, String type) {
        return events(aggregateId).stream().filter(e -> e.type().equals(type)).count();
    }

    /** Every aggregate's sequence numbers are 0, 1, 2, ... without a gap, and its first event is {@code firstType}. */
    void assertGaplessAndComplete(String firstType) {
        assertThat(byAggregate).as("aggregates in the event store").isNotEmpty();
        byAggregate.forEach((id, events) -> {
            for (int i = 0; i < events.size(); i++) {
                assertThat(events.get(i).sequence()).as("sequence number %d of %s", i, id).isEqualTo(i);
            }
            assertThat(events.get(0).type()).as("first event of %s", id).isEqualTo(firstType);
        });
    }

    /**
     * Folds a task's events in sequence order: status, phase and claimant, as the task projection shows them. Covers
     * the events these tests produce (created, claimed, lease renewed, token refreshed, transitioned, rejected
     * transitions, released, expired, cancelled, completed); any other event type fails the fold so that a test
     * never compares against a fold that ignored something.
     */
    FoldedTask foldTask(String taskId) {
        List<StoredEvent> events = events(taskId);
        assertThat(events).as("events of task %s", taskId).isNotEmpty();
        String status = null;
        String phase = null;
        String claimedBy = null;
        for (StoredEvent event : events) {
            JsonNode p = event.payload();
            switch (event.type()) {
                case "TaskCreatedEvent" -> {
                    status = "created";
                    phase = text(p, "phase");
                }
                case "TaskClaimedEvent" -> {
                    status = "claimed";
                    claimedBy = text(p, "agentId", "agent_id");
                    phase = text(p, "phase");
                }
                case "TaskTransitionedEvent" -> phase = text(p, "toPhase", "to_phase");
                case "TaskReleasedEvent", "TaskClaimExpiredEvent" -> {
                    status = "created";
                    claimedBy = null;
                }
                case "TaskCancelledEvent" -> status = "cancelled";
                case "TaskCompletedEvent" -> status = "completed";
                case "TaskLeaseRenewedEvent", "PhaseTokenRefreshedEvent", "TaskTransitionRejectedEvent",
                     "ToolCallDecidedEvent" -> {
                    // no change to status, phase or claimant
                }
                default -> throw new AssertionError("The test's fold does not know " + event.type() + " of " + taskId);
            }
        }
        return new FoldedTask(taskId, status, phase, claimedBy, events.get(events.size() - 1).globalIndex(),
                events.size());
    }

    private static String text(JsonNode payload, String... names) {
        for (String name : names) {
            if (payload.has(name)) {
                return payload.path(name).isNull() ? null : payload.path(name).asString();
            }
        }
        throw new AssertionError("None of " + List.of(names) + " in " + payload);
    }
}
