package io.phasegate.query.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.phasegate.events.task.PhaseTokenRefreshedEvent;
import io.phasegate.events.task.TaskCancelledEvent;
import io.phasegate.events.task.TaskCreatedEvent;
import io.phasegate.events.tool.ToolCallDecidedEvent;
import io.phasegate.platform.redaction.Redactor;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.messaging.MetaData;
import org.junit.jupiter.api.Test;

class AuditRecordFactoryTest {

    private static final Instant AT = Instant.parse("2025-03-01T10:15:30.123456789Z");

    @Test
    void aRecordNamesTheEventItsAggregateActorAndCorrelation() {
        TaskCreatedEvent created = new TaskCreatedEvent("t-1", "acme", "p", "Title", null, "wf", 2, "PLAN", List.of(),
                List.of("java"), 3, "alice", AT);
        var message = new GenericDomainEventMessage<>("Task", "t-1", 0, created,
                MetaData.from(Map.of("traceId", "root-1", "correlationId", "cmd-1")));
        AuditRow row = AuditRecordFactory.draft(42, "acme", created, message).row();
        assertThat(row.position()).isEqualTo(42);
        assertThat(row.orgId()).isEqualTo("acme");
        assertThat(row.eventId()).isEqualTo(message.getIdentifier());
        assertThat(row.eventType()).isEqualTo("TaskCreatedEvent");
        assertThat(row.aggregateType()).isEqualTo("Task");
        assertThat(row.aggregateId()).isEqualTo("t-1");
        assertThat(row.aggregateSequence()).isZero();
        assertThat(row.actor()).isEqualTo("alice");
        assertThat(row.correlationId()).isEqualTo("root-1");
        assertThat(row.causationId()).isEqualTo("cmd-1");
        assertThat(row.occurredAt()).isEqualTo(message.getTimestamp().truncatedTo(java.time.temporal.ChronoUnit.MICROS));
        assertThat(row.description()).isEqualTo("Task t-1 created by alice (workflow wf v2)");
        Map<String, Object> summary = AuditPayloads.SNAKE_CASE.readValue(row.summary(), Map.class);
        assertThat(summary).containsEntry("task_id", "t-1").containsEntry("created_by", "alice")
                .containsEntry("workflow_version", 2).containsEntry("created_at", "2025-03-01T10:15:30.123456789Z")
                .containsEntry("required_capabilities", List.of("java"));
        assertThat(row.summary()).startsWith("{\"created_at\"");
    }

    @Test
    void theActorIsTheMostSpecificFieldOrTheActorMetadata() {
        TaskCancelledEvent cancelled = new TaskCancelledEvent("t-1", "acme", "PLAN", "agent-1", "stop", "carol", AT);
        assertThat(AuditRecordFactory.draft(1, "acme", cancelled, GenericEventMessage.asEventMessage(cancelled)).row()
                .actor()).isEqualTo("carol");
        var withActor = GenericEventMessage.asEventMessage(cancelled).andMetaData(Map.of("actor", "admin-7"));
        assertThat(AuditRecordFactory.draft(1, "acme", cancelled, withActor).row().actor()).isEqualTo("admin-7");
        record Anonymous(String orgId, String note) {
        }
        Anonymous anonymous = new Anonymous("acme", "x");
        AuditRow row = AuditRecordFactory.draft(1, "acme", anonymous, GenericEventMessage.asEventMessage(anonymous)).row();
        assertThat(row.actor()).isNull();
        assertThat(row.aggregateId()).isNull();
        assertThat(row.description()).isEqualTo("Anonymous");
    }

    @Test
    void secretsAreRedactedAndStructuralTokenFieldsKept() {
        ToolCallDecidedEvent decided = new ToolCallDecidedEvent("t-1", "acme", "agent-1", "wf", 1, "IMPL", "call-1",
                "deploy", "sha256:x", Map.of("api_token", "tok-PLAINTEXT-1", "path", "a.txt",
                "header", "Bearer abcdefghijklmnopqrstuvwxyz"), "allowed", null, null, null, List.of(), AT);
        String summary = AuditRecordFactory.draft(1, "acme", decided, GenericEventMessage.asEventMessage(decided)).row()
                .summary();
        assertThat(summary).doesNotContain("tok-PLAINTEXT-1").doesNotContain("abcdefghijklmnopqrstuvwxyz")
                .contains("\"api_token\":\"" + Redactor.REDACTED + "\"").contains("\"path\":\"a.txt\"");

        PhaseTokenRefreshedEvent refreshed = new PhaseTokenRefreshedEvent("t-1", "acme", "agent-1", "IMPL", 4,
                "jti-secretish", AT, AT);
        String tokenSummary = AuditRecordFactory.draft(2, "acme", refreshed,
                GenericEventMessage.asEventMessage(refreshed)).row().summary();
        assertThat(tokenSummary).contains("\"token_generation\":4").contains("\"token_expires_at\":\"2025-03-01")
                .contains("\"token_id\":\"" + Redactor.REDACTED + "\"").doesNotContain("jti-secretish");
    }

    @Test
    void payloadsWithoutAnOrganisationAreRecognised() {
        record NoOrg(String taskId) {
        }
        assertThat(AuditPayloads.orgId(new NoOrg("t"))).isNull();
        assertThat(AuditPayloads.orgId("text")).isNull();
        assertThat(AuditPayloads.orgId(new TaskCancelledEvent("t", "acme", null, null, null, null, AT)))
                .isEqualTo("acme");
        assertThat(AuditPayloads.orgId(new TaskCancelledEvent("t", " ", null, null, null, null, AT))).isNull();
    }

    @Test
    void theHashCoversEveryFieldAndTheCanonicalFormIsUnambiguous() {
        AuditRow base = new AuditRow(10, "acme", 0, "e-1", "TaskCreatedEvent", "Task", "t-1", 0L,
                Instant.parse("2025-01-01T00:00:00.000001Z"), "alice", "c", "k", "d", "{}", null, null, null)
                .chainedTo(4, 9L, "a".repeat(64));
        assertThat(base.chainSeq()).isEqualTo(5);
        assertThat(base.hash()).hasSize(64).isEqualTo(AuditHashes.hash(base));
        List<UnaryOperator<AuditRow>> edits = new ArrayList<>();
        edits.add(r -> new AuditRow(11, r.orgId(), r.chainSeq(), r.eventId(), r.eventType(), r.aggregateType(), r.aggregateId(), r.aggregateSequence(), r.occurredAt(), r.actor(), r.correlationId(), r.causationId(), r.description(), r.summary(), r.prevPosition(), r.prevHash(), r.hash()));
        edits.add(r -> new AuditRow(r.position(), "acme2", r.chainSeq(), r.eventId(), r.eventType(), r.aggregateType(), r.aggregateId(), r.aggregateSequence(), r.occurredAt(), r.actor(), r.correlationId(), r.causationId(), r.description(), r.summary(), r.prevPosition(), r.prevHash(), r.hash()));
        edits.add(r -> new AuditRow(r.position(), r.orgId(), 6, r.eventId(), r.eventType(), r.aggregateType(), r.aggregateId(), r.aggregateSequence(), r.occurredAt(), r.actor(), r.correlationId(), r.causationId(), r.description(), r.summary(), r.prevPosition(), r.prevHash(), r.hash()));
        edits.add(r -> new AuditRow(r.position(), r.orgId(), r.chainSeq(), r.eventId(), r.eventType(), r.aggregateType(), r.aggregateId(), 1L, r.occurredAt(), r.actor(), r.correlationId(), r.causationId(), r.description(), r.summary(), r.prevPosition(), r.prevHash(), r.hash()));
        edits.add(r -> new AuditRow(r.position(), r.orgId(), r.chainSeq(), r.eventId(), r.eventType(), r.aggregateType(), r.aggregateId(), r.aggregateSequence(), r.occurredAt().plusNanos(1000), r.actor(), r.correlationId(), r.causationId(), r.description(), r.summary(), r.prevPosition(), r.prevHash(), r.hash()));
        edits.add(r -> new AuditRow(r.position(), r.orgId(), r.chainSeq(), r.eventId(), r.eventType(), r.aggregateType(), r.aggregateId(), r.aggregateSequence(), r.occurredAt(), null, r.correlationId(), r.causationId(), r.description(), r.summary(), r.prevPosition(), r.prevHash(), r.hash()));
        edits.add(r -> new AuditRow(r.position(), r.orgId(), r.chainSeq(), r.eventId(), r.eventType(), r.aggregateType(), r.aggregateId(), r.aggregateSequence(), r.occurredAt(), r.actor(), r.correlationId(), r.causationId(), r.description(), "{ }", r.prevPosition(), r.prevHash(), r.hash()));
        edits.add(r -> new AuditRow(r.position(), r.orgId(), r.chainSeq(), r.eventId(), r.eventType(), r.aggregateType(), r.aggregateId(), r.aggregateSequence(), r.occurredAt(), r.actor(), r.correlationId(), r.causationId(), r.description(), r.summary(), 8L, r.prevHash(), r.hash()));
        edits.add(r -> new AuditRow(r.position(), r.orgId(), r.chainSeq(), r.eventId(), r.eventType(), r.aggregateType(), r.aggregateId(), r.aggregateSequence(), r.occurredAt(), r.actor(), r.correlationId(), r.causationId(), r.description(), r.summary(), r.prevPosition(), "b".repeat(64), r.hash()));
        // moving characters between adjacent fields
        edits.add(r -> new AuditRow(r.position(), r.orgId(), r.chainSeq(), r.eventId(), r.eventType(), r.aggregateType(), r.aggregateId(), r.aggregateSequence(), r.occurredAt(), "alic", "ec", r.causationId(), r.description(), r.summary(), r.prevPosition(), r.prevHash(), r.hash()));
        for (UnaryOperator<AuditRow> edit : edits) {
            assertThat(AuditHashes.hash(edit.apply(base))).isNotEqualTo(base.hash());
        }
        assertThat(AuditHashes.GENESIS).isEqualTo("0".repeat(64));
    }
}
