package io.phasegate.query.integration;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.ECKey;
import io.phasegate.events.task.TaskClaimedEvent;
import io.phasegate.events.task.TaskCreatedEvent;
import io.phasegate.platform.identity.CallerIdentity;
import io.phasegate.platform.identity.InternalTokenIssuer;
import io.phasegate.platform.identity.InternalTokens;
import io.phasegate.platform.identity.JwkFiles;
import io.phasegate.platform.identity.testing.TestIdentities;
import io.phasegate.query.audit.AuditTrailProjection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.junit.jupiter.api.BeforeEach;
import tools.jackson.databind.JsonNode;

/**
 * Shared by the audit trail and stream tests: identities of any organisation and role, appending batches of events
 * with metadata and timestamps, reading JSON, the documented hash of an audit record (computed independently of the
 * service's code, from the canonical form its documentation describes).
 */
abstract class AuditTestSupport extends QueryStorageTestSupport {

    static final Set<String> RECORD_FIELDS = Set.of("position", "org_id", "chain_sequence", "event_id", "event_type",
            "aggregate_type", "aggregate_id", "aggregate_sequence", "occurred_at", "actor", "correlation_id",
            "causation_id", "description", "summary", "prev_position", "prev_hash", "hash");
    static final String GENESIS = "0".repeat(64);

    private static InternalTokenIssuer issuer;

    @BeforeEach
    void auditProcessorRuns() {
        awaitCondition("processor audit claims its segment",
                () -> !processor(AuditTrailProjection.GROUP).processingStatus().isEmpty(), Duration.ofSeconds(30));
    }

    /** An internal identity token as the gateway forwards it, for any organisation and roles. */
    static synchronized String identity(String subject, String orgId, String... roles) {
        if (issuer == null) {
            ECKey key = JwkFiles.loadOrCreateSigningKey(
                    TestIdentities.PUBLIC_KEYS_FILE.getParent().resolve("internal-signing.json"), "internal", false);
            issuer = new InternalTokenIssuer(key, Duration.ofMinutes(10), Clock.systemUTC());
        }
        return issuer.issue(new CallerIdentity(subject, orgId, Set.of(roles)));
    }

    static String auditor(String orgId) {
        return identity("audrey", orgId, "auditor");
    }

    static DomainEventMessage<?> event(String aggregateType, String aggregateId, long sequence, Object payload) {
        return new GenericDomainEventMessage<>(aggregateType, aggregateId, sequence, payload);
    }

    static DomainEventMessage<?> event(String aggregateType, String aggregateId, long sequence, Object payload,
                                       Map<String, ?> metadata, Instant timestamp) {
        return new GenericDomainEventMessage<>(aggregateType, aggregateId, sequence, payload, metadata,
                UUID.randomUUID().toString(), timestamp);
    }

    /** Appends the events in one unit of work (one transaction); returns their global positions, in order. */
    List<Long> appendAll(List<? extends DomainEventMessage<?>> events) {
        DefaultUnitOfWork.startAndGet(null).execute(() -> eventBus.publish(events));
        List<Long> positions = new ArrayList<>();
        for (DomainEventMessage<?> event : events) {
            positions.add(jdbc.queryForObject("SELECT global_index FROM " + EVENTS + " WHERE event_identifier = ?",
                    Long.class, event.getIdentifier()));
        }
        return positions;
    }

    long appendOne(DomainEventMessage<?> event) {
        return appendAll(List.of(event)).get(0);
    }

    void awaitAudited(long position) {
        awaitCaughtUp(processor(AuditTrailProjection.GROUP), position);
    }

    static TaskCreatedEvent created(String taskId, String orgId, String createdBy) {
        return new TaskCreatedEvent(taskId, orgId, "p", "Task " + taskId, null, "wf", 1, "PLAN", List.of(), List.of(),
                0, createdBy, Instant.now().truncatedTo(ChronoUnit.MILLIS));
    }

    static TaskClaimedEvent claimed(String taskId, String orgId, String agentId) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        return new TaskClaimedEvent(taskId, orgId, agentId, "PLAN", 1, "jti-" + taskId, now.plusSeconds(600),
                now.plusSeconds(900), now);
    }

    /** {@code n} new tasks of the organisation, each created and claimed: 2n events. */
    static List<DomainEventMessage<?>> tasks(String orgId, String prefix, int n) {
        List<DomainEventMessage<?>> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String taskId = prefix + "-" + i;
            events.add(event("Task", taskId, 0, created(taskId, orgId, "alice")));
            events.add(event("Task", taskId, 1, claimed(taskId, orgId, "agent-" + (i % 3))));
        }
        return events;
    }

    /** {@code uri} is used as written (already encoded). */
    JsonNode getJson(String uri, String identity) {
        return json(http.get().uri(absolute(uri)).header(InternalTokens.HEADER, identity).exchange()
                .expectStatus().isOk().expectBody(String.class).returnResult());
    }

    JsonNode problem(String uri, String identity, int status, String code) {
        var result = http.get().uri(absolute(uri)).header(InternalTokens.HEADER, identity).exchange()
                .expectStatus().isEqualTo(status)
                .expectHeader().contentTypeCompatibleWith(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody(String.class).returnResult();
        assertThat(result.getResponseBody()).doesNotContain("Exception").doesNotContain("\tat ");
        JsonNode problem = json(result);
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        if (code != null) {
            assertThat(problem.path("code").asString()).isEqualTo(code);
        }
        return problem;
    }

    java.net.URI absolute(String uri) {
        return java.net.URI.create("http://127.0.0.1:" + port + uri);
    }

    /** Every record of the organisation, by position, through the list endpoint. */
    List<JsonNode> allRecords(String orgId, long minPosition) {
        List<JsonNode> records = new ArrayList<>();
        String after = null;
        do {
            JsonNode page = getJson("/api/v1/audit?limit=500&min_position=" + minPosition
                    + (after == null ? "" : "&after=" + after), auditor(orgId));
            page.path("items").forEach(records::add);
            after = page.path("next_cursor").isNull() ? null : page.path("next_cursor").asString();
        } while (after != null);
        return records;
    }

    /** The audit table's rows of an organisation, every column as text, by position. */
    List<Map<String, String>> auditRows(String orgId) {
        List<Map<String, String>> rows = new ArrayList<>();
        for (Map<String, Object> row : jdbc.queryForList(
                "SELECT * FROM audit_records WHERE org_id = ? ORDER BY position", orgId)) {
            Map<String, String> text = new LinkedHashMap<>();
            row.forEach((column, value) -> text.put(column.toLowerCase(), value == null ? null : value.toString()));
            rows.add(text);
        }
        return rows;
    }

    /**
     * The hash of a record as documented (AuditHashes): SHA-256 over "phasegate-audit-v1" and each field as a 4-byte
     * length and its UTF-8 bytes (-1 for null), in the documented order.
     */
    static String documentedHash(JsonNode record) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update("phasegate-audit-v1".getBytes(StandardCharsets.UTF_8));
            List<String> fields = new ArrayList<>();
            fields.add(text(record, "org_id"));
            fields.add(text(record, "chain_sequence"));
            fields.add(text(record, "position"));
            fields.add(text(record, "event_id"));
            fields.add(text(record, "event_type"));
            fields.add(text(record, "aggregate_type"));
            fields.add(text(record, "aggregate_id"));
            fields.add(text(record, "aggregate_sequence"));
            fields.add(Instant.parse(record.path("occurred_at").asString()).toString());
            fields.add(text(record, "actor"));
            fields.add(text(record, "correlation_id"));
            fields.add(text(record, "causation_id"));
            fields.add(text(record, "description"));
            fields.add(JSON.writeValueAsString(record.path("summary")));
            fields.add(text(record, "prev_position"));
            fields.add(text(record, "prev_hash"));
            for (String field : fields) {
                if (field == null) {
                    sha.update(new byte[]{-1, -1, -1, -1});
                } else {
                    byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
                    int n = bytes.length;
                    sha.update(new byte[]{(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
                    sha.update(bytes);
                }
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String text(JsonNode record, String field) {
        JsonNode value = record.path(field);
        return value.isNull() || value.isMissingNode() ? null : value.asString();
    }
}
