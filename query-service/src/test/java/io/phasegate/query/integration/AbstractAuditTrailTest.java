package io.phasegate.query.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.phasegate.events.task.TaskCancelledEvent;
import io.phasegate.events.task.TaskCreatedEvent;
import io.phasegate.events.tool.ToolCallDecidedEvent;
import io.phasegate.events.workflow.WorkflowDefinition;
import io.phasegate.events.workflow.WorkflowKeys;
import io.phasegate.events.workflow.WorkflowPublishedEvent;
import io.phasegate.platform.identity.InternalTokens;
import io.phasegate.query.audit.AuditTrailProjection;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.axonframework.eventhandling.AbstractEventProcessor;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventHandlerInvoker;
import org.axonframework.eventhandling.Segment;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import tools.jackson.databind.JsonNode;

/**
 * The audit trail against real storage: one hash-chained, redacted record per event; verification that names the
 * first broken record after direct tampering with the table; redelivery and reset; filters, cursor pagination and
 * the NDJSON and CSV exports; who may read it. Verification and export read pages of 3 records here, so that they
 * cross page boundaries.
 */
@TestPropertySource(properties = "phasegate.audit.page-size=3")
abstract class AbstractAuditTrailTest extends AuditTestSupport {

    static final String SECRET = "PLAINTEXT-SECRET-7f3a9";
    static final String BEARER = "Bearer abcdefghijklmnopqrstuvwxyz0123456789";

    @Test
    void everyEventBecomesOneHashChainedRedactedRecord() {
        String org = "audit-" + suffix();
        String wf = "wf-" + suffix();
        String task = "task-" + suffix();
        Map<String, String> origin = Map.of("traceId", "trace-1", "correlationId", "command-1");
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        List<Long> positions = new ArrayList<>();
        positions.add(appendOne(event("Workflow", WorkflowKeys.of(org, wf), 0, new WorkflowPublishedEvent(
                WorkflowKeys.of(org, wf), org, wf, 1, definition(wf, 1, WorkflowDefinition.Enforcement.STRICT),
                "workflow: " + wf, "wendy", t0), origin, t0)));
        positions.add(appendOne(event("Task", task, 0, new TaskCreatedEvent(task, org, "p", "Login", BEARER, wf, 1,
                "PLAN", List.of(), List.of("java"), 2, "alice", t0), origin, t0.plusSeconds(1))));
        positions.add(appendOne(event("Task", task, 1, claimed(task, org, "agent-1"))));
        positions.add(appendOne(event("Task", task, 2, new ToolCallDecidedEvent(task, org, "agent-1", wf, 1, "PLAN",
                "call-1", "deploy", "sha256:abc", Map.of("api_token", SECRET, "path", "src/A.java",
                "nested", Map.of("password", SECRET)), "allowed", null, null, null, List.of(), t0.plusSeconds(3)))));
        positions.add(appendOne(event("Task", task, 3, new TaskCancelledEvent(task, org, "PLAN", "agent-1", "obsolete",
                "carol", t0.plusSeconds(4)), Map.of("actor", "carol@example.com"), t0.plusSeconds(4))));
        long last = positions.get(positions.size() - 1);

        List<JsonNode> records = allRecords(org, last);
        assertThat(records).hasSize(5);
        for (int i = 0; i < records.size(); i++) {
            JsonNode record = records.get(i);
            assertThat(fieldNames(record)).isEqualTo(RECORD_FIELDS);
            assertThat(record.path("position").asLong()).isEqualTo(positions.get(i));
            assertThat(record.path("org_id").asString()).isEqualTo(org);
            assertThat(record.path("chain_sequence").asLong()).isEqualTo(i + 1);
            assertThat(record.path("hash").asString()).matches("[0-9a-f]{64}").isEqualTo(documentedHash(record));
            if (i == 0) {
                assertThat(record.path("prev_hash").asString()).isEqualTo(GENESIS);
                assertThat(record.path("prev_position").isNull()).isTrue();
            } else {
                assertThat(record.path("prev_hash").asString()).isEqualTo(records.get(i - 1).path("hash").asString());
                assertThat(record.path("prev_position").asLong()).isEqualTo(positions.get(i - 1));
            }
            assertThat(record.path("event_id").asString()).isNotBlank();
        }
        assertThat(records).extracting(r -> r.path("event_type").asString()).containsExactly("WorkflowPublishedEvent",
                "TaskCreatedEvent", "TaskClaimedEvent", "ToolCallDecidedEvent", "TaskCancelledEvent");
        assertThat(records).extracting(r -> r.path("actor").asString())
                .containsExactly("wendy", "alice", "agent-1", "agent-1", "carol@example.com");
        assertThat(records).extracting(r -> r.path("aggregate_type").asString())
                .containsExactly("Workflow", "Task", "Task", "Task", "Task");
        assertThat(records.get(1).path("aggregate_id").asString()).isEqualTo(task);
        assertThat(records).extracting(r -> r.path("aggregate_sequence").asLong()).containsExactly(0L, 0L, 1L, 2L, 3L);
        assertThat(records.get(0).path("correlation_id").asString()).isEqualTo("trace-1");
        assertThat(records.get(0).path("causation_id").asString()).isEqualTo("command-1");
        assertThat(records.get(2).path("correlation_id").isNull()).isTrue();
        assertThat(Instant.parse(records.get(1).path("occurred_at").asString())).isEqualTo(t0.plusSeconds(1));
        assertThat(records.get(0).path("description").asString()).isEqualTo("Workflow " + wf + " version 1 published by wendy");
        assertThat(records.get(4).path("description").asString()).isEqualTo("Task " + task + " cancelled by carol");
        JsonNode summary = records.get(3).path("summary");
        assertThat(summary.path("task_id").asString()).isEqualTo(task);
        assertThat(summary.path("tool_name").asString()).isEqualTo("deploy");
        assertThat(summary.path("args_summary").path("api_token").asString()).isEqualTo("[redacted]");
        assertThat(summary.path("args_summary").path("nested").path("password").asString()).isEqualTo("[redacted]");
        assertThat(summary.path("args_summary").path("path").asString()).isEqualTo("src/A.java");
        assertThat(records.get(1).path("summary").path("description").asString()).isEqualTo("[redacted]");
        assertThat(records.get(2).path("summary").path("token_generation").asLong()).isEqualTo(1);

        // the secrets are nowhere: not in the table, the list, the exports
        assertThat(auditRows(org).toString()).doesNotContain(SECRET).doesNotContain(BEARER.substring(7));
        assertThat(records.toString()).doesNotContain(SECRET).doesNotContain(BEARER.substring(7));
        assertThat(export("ndjson", "", auditor(org))).doesNotContain(SECRET).doesNotContain(BEARER.substring(7));
        assertThat(export("csv", "", auditor(org))).doesNotContain(SECRET).doesNotContain(BEARER.substring(7));

        JsonNode verified = getJson("/api/v1/audit/verify?min_position=" + last, auditor(org));
        assertThat(fieldNames(verified)).containsExactlyInAnyOrder("verified", "records", "last_position");
        assertThat(verified.path("verified").asBoolean()).isTrue();
        assertThat(verified.path("records").asLong()).isEqualTo(5);
        assertThat(verified.path("last_position").asLong()).isEqualTo(last);

        // another organisation sees none of it, and its own (empty) chain verifies
        String other = "other-" + suffix();
        assertThat(getJson("/api/v1/audit", auditor(other)).path("items").size()).isZero();
        JsonNode empty = getJson("/api/v1/audit/verify", auditor(other));
        assertThat(empty.path("verified").asBoolean()).isTrue();
        assertThat(empty.path("records").asLong()).isZero();
        assertThat(empty.path("last_position").isNull()).isTrue();
        assertThat(export("ndjson", "", auditor(other))).isEmpty();
    }

    @Test
    void verificationNamesTheFirstBrokenRecordOfEveryKindOfTampering() {
        // untouched
        Chain clean = chain(6);
        assertVerified(clean, 6);

        // a changed summary: that record no longer matches its hash
        Chain edited = chain(6);
        jdbc.update("UPDATE audit_records SET summary = ? WHERE position = ?", "{\"task_id\":\"forged\"}",
                edited.position(2));
        assertBroken(edited, edited.position(2), "hash_mismatch", 2);

        // a changed record whose hash was recomputed (the documented algorithm is public): its successor's link breaks
        Chain rehashed = chain(6);
        JsonNode record = allRecords(rehashed.org(), rehashed.last()).get(2);
        ((tools.jackson.databind.node.ObjectNode) record).put("actor", "mallory");
        jdbc.update("UPDATE audit_records SET actor = 'mallory', hash = ? WHERE position = ?", documentedHash(record),
                rehashed.position(2));
        assertBroken(rehashed, rehashed.position(3), "chain_broken", 3);

        // a deleted record: its successor names it
        Chain deleted = chain(6);
        jdbc.update("DELETE FROM audit_records WHERE position = ?", deleted.position(2));
        assertBroken(deleted, deleted.position(2), "record_missing", 2);

        // the first record deleted
        Chain headless = chain(3);
        jdbc.update("DELETE FROM audit_records WHERE position = ?", headless.position(0));
        assertBroken(headless, headless.position(0), "record_missing", 0);

        // the newest record deleted: the chain head names it
        Chain truncated = chain(6);
        jdbc.update("DELETE FROM audit_records WHERE position = ?", truncated.position(5));
        assertBroken(truncated, truncated.position(5), "chain_truncated", 5);

        // two records' positions swapped: the first (in position order) of them no longer matches its hash
        Chain swapped = chain(6);
        swapPositions(swapped.position(1), swapped.position(4));
        assertBroken(swapped, swapped.position(1), "hash_mismatch", 1);

        // two records' contents swapped (every column but the position)
        Chain swappedContent = chain(6);
        swapContents(swappedContent.position(2), swappedContent.position(3));
        assertBroken(swappedContent, swappedContent.position(2), "hash_mismatch", 2);

        // any single field: changed, detected at that record, restored, verified again
        Chain fields = chain(4);
        long target = fields.position(2);
        Map<String, Object> original = jdbc.queryForMap("SELECT * FROM audit_records WHERE position = ?", target);
        Map<String, Object> tampered = new LinkedHashMap<>();
        tampered.put("chain_seq", 0L);
        tampered.put("event_id", "forged-event-id");
        tampered.put("event_type", "TaskCompletedEvent");
        tampered.put("aggregate_type", "Workflow");
        tampered.put("aggregate_id", "another-task");
        tampered.put("aggregate_sequence", 7L);
        tampered.put("occurred_at", OffsetDateTime.of(2001, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC));
        tampered.put("actor", "mallory");
        tampered.put("correlation_id", "forged");
        tampered.put("causation_id", "forged");
        tampered.put("description", "Nothing happened");
        tampered.put("summary", "{}");
        tampered.put("prev_position", 1L);
        tampered.put("prev_hash", "f".repeat(64));
        tampered.put("hash", "e".repeat(64));
        for (Map.Entry<String, Object> change : tampered.entrySet()) {
            String column = change.getKey();
            jdbc.update("UPDATE audit_records SET " + column + " = ? WHERE position = ?", change.getValue(), target);
            JsonNode result = verify(fields);
            assertThat(result.path("verified").asBoolean()).as(column).isFalse();
            assertThat(result.path("first_broken_position").asLong()).as(column).isEqualTo(target);
            assertThat(result.path("reason").asString()).as(column).isEqualTo("hash_mismatch");
            assertThat(result.path("records_checked").asLong()).as(column).isEqualTo(2);
            jdbc.update("UPDATE audit_records SET " + column + " = ? WHERE position = ?", original(original, column),
                    target);
            assertVerified(fields, 4);
        }
        // a record moved beyond the chain's head, or to another organisation: it is missing from its place
        jdbc.update("UPDATE audit_records SET chain_seq = 99 WHERE position = ?", target);
        assertBroken(fields, target, "record_missing", 2);
        jdbc.update("UPDATE audit_records SET chain_seq = ? WHERE position = ?", original(original, "chain_seq"), target);
        assertVerified(fields, 4);
        jdbc.update("UPDATE audit_records SET org_id = ? WHERE position = ?", "elsewhere-" + suffix(), target);
        assertBroken(fields, target, "record_missing", 2);
    }

    @Test
    void aRedeliveredEventChangesNothing() {
        Chain chain = chain(4);
        List<Map<String, String>> before = auditRows(chain.org());
        String headBefore = jdbc.queryForList("SELECT * FROM audit_chain_heads WHERE org_id = ?", chain.org()).toString();
        EventHandlerInvoker invoker = ((AbstractEventProcessor) processor(AuditTrailProjection.GROUP))
                .eventHandlerInvoker();
        for (long position : chain.positions()) {
            TrackedEventMessage<?> event = trackedEventAt(position);
            assertThat(invoker.canHandle(event, Segment.ROOT_SEGMENT)).isTrue();
            redeliver(invoker, event);
            redeliver(invoker, event);
        }
        assertThat(auditRows(chain.org())).isEqualTo(before);
        assertThat(jdbc.queryForList("SELECT * FROM audit_chain_heads WHERE org_id = ?", chain.org()).toString())
                .isEqualTo(headBefore);
        assertVerified(chain, 4);
    }

    @Test
    void filtersCursorsAndExports() {
        String org = "filters-" + suffix();
        Instant t0 = Instant.parse("2030-01-01T00:00:00Z");
        String t1 = "t1-" + suffix();
        String t2 = "t2-" + suffix();
        String awkward = "bob, \"the\" builder";
        List<DomainEventMessage<?>> events = List.of(
                event("Task", t1, 0, created(t1, org, "alice"), Map.of(), t0),
                event("Task", t2, 0, created(t2, org, awkward), Map.of("traceId", "multi\nline,\"trace\""),
                        t0.plusSeconds(3600)),
                event("Task", t1, 1, claimed(t1, org, "agent-1"), Map.of(), t0.plusSeconds(7200)),
                event("Task", t2, 1, claimed(t2, org, "agent-1"), Map.of(), t0.plusSeconds(10800)),
                event("Task", t1, 2, new TaskCancelledEvent(t1, org, "PLAN", "agent-1", "done", "alice",
                        t0.plusSeconds(14400)), Map.of(), t0.plusSeconds(14400)));
        List<Long> p = appendAll(events);
        long last = p.get(4);
        awaitAudited(last);
        String who = auditor(org);

        assertThat(positions(getJson("/api/v1/audit?min_position=" + last, who))).isEqualTo(p);
        assertThat(positions(getJson("/api/v1/audit?order=desc", who))).containsExactly(p.get(4), p.get(3), p.get(2),
                p.get(1), p.get(0));
        assertThat(positions(getJson("/api/v1/audit?actor=alice", who))).containsExactly(p.get(0), p.get(4));
        assertThat(positions(getJson("/api/v1/audit?actor=agent-1", who))).containsExactly(p.get(2), p.get(3));
        assertThat(positions(getJson("/api/v1/audit?aggregate_id=" + t2, who))).containsExactly(p.get(1), p.get(3));
        assertThat(positions(getJson("/api/v1/audit?type=TaskClaimedEvent", who))).containsExactly(p.get(2), p.get(3));
        assertThat(positions(getJson("/api/v1/audit?from=2030-01-01T01:00:00Z&to=2030-01-01T03:00:00Z", who)))
                .containsExactly(p.get(1), p.get(2));
        assertThat(positions(getJson("/api/v1/audit?from=2030-01-01T02:00:00%2B01:00", who)))
                .containsExactly(p.get(1), p.get(2), p.get(3), p.get(4));
        assertThat(positions(getJson("/api/v1/audit?aggregate_id=" + t1 + "&type=TaskCancelledEvent", who)))
                .containsExactly(p.get(4));

        // cursor pagination, both orders
        JsonNode page1 = getJson("/api/v1/audit?limit=2", who);
        assertThat(positions(page1)).containsExactly(p.get(0), p.get(1));
        assertThat(page1.path("next_cursor").asString()).isEqualTo(Long.toString(p.get(1)));
        JsonNode page2 = getJson("/api/v1/audit?limit=2&after=" + page1.path("next_cursor").asString(), who);
        assertThat(positions(page2)).containsExactly(p.get(2), p.get(3));
        JsonNode page3 = getJson("/api/v1/audit?limit=2&after=" + page2.path("next_cursor").asString(), who);
        assertThat(positions(page3)).containsExactly(p.get(4));
        assertThat(page3.path("next_cursor").isNull()).isTrue();
        JsonNode desc1 = getJson("/api/v1/audit?limit=3&order=desc", who);
        assertThat(positions(desc1)).containsExactly(p.get(4), p.get(3), p.get(2));
        JsonNode desc2 = getJson("/api/v1/audit?limit=3&order=desc&after=" + desc1.path("next_cursor").asString(), who);
        assertThat(positions(desc2)).containsExactly(p.get(1), p.get(0));
        assertThat(desc2.path("next_cursor").isNull()).isTrue();
        JsonNode filteredPage = getJson("/api/v1/audit?actor=agent-1&limit=1", who);
        assertThat(positions(filteredPage)).containsExactly(p.get(2));
        assertThat(positions(getJson("/api/v1/audit?actor=agent-1&limit=1&after="
                + filteredPage.path("next_cursor").asString(), who))).containsExactly(p.get(3));

        for (String query : List.of("limit=0", "limit=501", "after=abc", "after=-1", "from=yesterday",
                "to=2030-01-01", "order=sideways", "type=", "actor=" + "x".repeat(256))) {
            problem("/api/v1/audit?" + query, who, 400, "invalid_parameter");
        }
        for (String query : List.of("format=xml", "limit=0", "after=x")) {
            problem("/api/v1/audit/export?" + query, who, 400, "invalid_parameter");
        }

        // NDJSON: the list's records, one per line, streamed in pages (of 3 here)
        List<JsonNode> listed = allRecords(org, last);
        String ndjson = export("ndjson", "", who);
        List<JsonNode> lines = new ArrayList<>();
        for (String line : ndjson.split("\n")) {
            lines.add(JSON.readTree(line));
        }
        assertThat(ndjson).endsWith("\n");
        assertThat(lines).isEqualTo(listed);
        assertThat(ndjsonPositions(export("ndjson", "&actor=agent-1", who))).containsExactly(p.get(2), p.get(3));
        assertThat(ndjsonPositions(export("ndjson", "&order=desc&limit=4", who)))
                .containsExactly(p.get(4), p.get(3), p.get(2), p.get(1));
        assertThat(ndjsonPositions(export("ndjson", "&after=" + p.get(1), who)))
                .containsExactly(p.get(2), p.get(3), p.get(4));

        // CSV: a header, then one row per record; quoting survives commas, quotes and line breaks
        String csv = export("csv", "", who);
        List<List<String>> rows = parseCsv(csv);
        assertThat(rows.get(0)).containsExactly("position", "org_id", "chain_sequence", "event_id", "event_type",
                "aggregate_type", "aggregate_id", "aggregate_sequence", "occurred_at", "actor", "correlation_id",
                "causation_id", "description", "summary", "prev_position", "prev_hash", "hash");
        assertThat(rows).hasSize(6);
        for (int i = 0; i < listed.size(); i++) {
            JsonNode record = listed.get(i);
            List<String> row = rows.get(i + 1);
            for (int c = 0; c < rows.get(0).size(); c++) {
                String column = rows.get(0).get(c);
                JsonNode value = record.path(column);
                String expected = column.equals("summary") ? JSON.writeValueAsString(value)
                        : value.isNull() ? "" : value.asString();
                if (column.equals("occurred_at")) {
                    assertThat(Instant.parse(row.get(c))).isEqualTo(Instant.parse(expected));
                } else {
                    assertThat(row.get(c)).as(column + " of row " + i).isEqualTo(expected);
                }
            }
        }
        assertThat(rows.get(2).get(9)).isEqualTo(awkward);
        assertThat(rows.get(2).get(10)).isEqualTo("multi\nline,\"trace\"");
        List<List<String>> claimedRows = parseCsv(export("csv", "&type=TaskClaimedEvent", who));
        assertThat(claimedRows).hasSize(3);
        assertThat(claimedRows.get(1).get(0)).isEqualTo(Long.toString(p.get(2)));
    }

    @Test
    void onlyAdminsAndAuditorsReadTheAuditTrail() {
        Chain chain = chain(1);
        for (String role : List.of("developer", "viewer", "reviewer")) {
            String caller = identity("dev", chain.org(), role);
            for (String uri : List.of("/api/v1/audit", "/api/v1/audit/verify", "/api/v1/audit/export?format=csv")) {
                problem(uri, caller, 403, "forbidden");
            }
        }
        assertThat(getJson("/api/v1/audit", identity("ada", chain.org(), "admin")).path("items").size()).isEqualTo(1);
        assertThat(getJson("/api/v1/audit", identity("ada", chain.org(), "viewer", "auditor")).path("items").size())
                .isEqualTo(1);
        http.get().uri("/api/v1/audit").exchange().expectStatus().isUnauthorized();
    }

    /** Runs last: it resets the audit processor, which rebuilds the same chains (and repairs tampered ones). */
    @Test
    @Order(Integer.MAX_VALUE)
    void aResetClearsTheTrailAndTheReplayRebuildsTheSameChains() {
        Chain kept = chain(5);
        List<Map<String, String>> before = auditRows(kept.org());
        Chain damaged = chain(4);
        jdbc.update("UPDATE audit_records SET description = 'forged' WHERE position = ?", damaged.position(1));
        assertBroken(damaged, damaged.position(1), "hash_mismatch", 1);

        StreamingEventProcessor audit = processor(AuditTrailProjection.GROUP);
        audit.shutDown();
        audit.resetTokens();
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM audit_records", Integer.class)).isZero();
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM audit_chain_heads", Integer.class)).isZero();
        audit.start();
        awaitCaughtUp(audit, damaged.last());

        assertThat(auditRows(kept.org())).isEqualTo(before);
        assertVerified(damaged, 4);
        assertVerified(kept, 5);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM audit_records WHERE position <= ?", Integer.class,
                damaged.last())).isGreaterThanOrEqualTo(9);
    }

    // ------------------------------------------------------------------------------------------------------------

    /** An organisation with a chain of n records (tasks created and claimed), processed. */
    record Chain(String org, List<Long> positions) {
        long position(int index) {
            return positions.get(index);
        }

        long last() {
            return positions.get(positions.size() - 1);
        }
    }

    Chain chain(int n) {
        String org = "chain-" + suffix();
        List<DomainEventMessage<?>> events = tasks(org, "t-" + suffix(), (n + 1) / 2).subList(0, n);
        List<Long> positions = appendAll(events);
        awaitAudited(positions.get(positions.size() - 1));
        return new Chain(org, positions);
    }

    JsonNode verify(Chain chain) {
        return getJson("/api/v1/audit/verify?min_position=" + chain.last(), auditor(chain.org()));
    }

    void assertVerified(Chain chain, long records) {
        JsonNode result = verify(chain);
        assertThat(result.path("verified").asBoolean()).as(result.toString()).isTrue();
        assertThat(result.path("records").asLong()).isEqualTo(records);
        assertThat(result.path("last_position").asLong()).isEqualTo(chain.last());
    }

    void assertBroken(Chain chain, long position, String reason, long recordsChecked) {
        JsonNode result = verify(chain);
        assertThat(fieldNames(result)).containsExactlyInAnyOrder("verified", "first_broken_position", "reason",
                "records_checked", "detail");
        assertThat(result.path("verified").asBoolean()).as(result.toString()).isFalse();
        assertThat(result.path("first_broken_position").asLong()).as(result.toString()).isEqualTo(position);
        assertThat(result.path("reason").asString()).as(result.toString()).isEqualTo(reason);
        assertThat(result.path("records_checked").asLong()).as(result.toString()).isEqualTo(recordsChecked);
    }

    private static Object original(Map<String, Object> row, String column) {
        for (Map.Entry<String, Object> entry : row.entrySet()) {
            if (entry.getKey().equalsIgnoreCase(column)) {
                return entry.getValue();
            }
        }
        throw new AssertionError("no column " + column);
    }

    void swapPositions(long a, long b) {
        jdbc.update("UPDATE audit_records SET position = ? WHERE position = ?", -1L, a);
        jdbc.update("UPDATE audit_records SET position = ? WHERE position = ?", a, b);
        jdbc.update("UPDATE audit_records SET position = ? WHERE position = ?", b, -1L);
    }

    void swapContents(long a, long b) {
        Map<String, Object> rowA = jdbc.queryForMap("SELECT * FROM audit_records WHERE position = ?", a);
        Map<String, Object> rowB = jdbc.queryForMap("SELECT * FROM audit_records WHERE position = ?", b);
        // park A's unique keys, then write each row's content into the other
        jdbc.update("UPDATE audit_records SET chain_seq = -1, event_id = 'parked' WHERE position = ?", a);
        writeContent(b, rowA);
        writeContent(a, rowB);
    }

    private void writeContent(long position, Map<String, Object> content) {
        List<String> columns = List.of("org_id", "chain_seq", "event_id", "event_type", "aggregate_type",
                "aggregate_id", "aggregate_sequence", "occurred_at", "actor", "correlation_id", "causation_id",
                "description", "summary", "prev_position", "prev_hash", "hash");
        List<Object> values = new ArrayList<>();
        for (String column : columns) {
            values.add(original(content, column));
        }
        values.add(position);
        jdbc.update("UPDATE audit_records SET " + String.join(" = ?, ", columns) + " = ? WHERE position = ?",
                values.toArray());
    }

    String export(String format, String query, String identity) {
        EntityExchangeResult<byte[]> result = http.get().uri("/api/v1/audit/export?format=" + format + query)
                .header(InternalTokens.HEADER, identity)
                .exchange()
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(format.equals("csv") ? MediaType.parseMediaType("text/csv")
                        : MediaType.parseMediaType("application/x-ndjson"))
                .expectBody().returnResult();
        byte[] body = result.getResponseBody();
        String text = body == null ? "" : new String(body, StandardCharsets.UTF_8);
        if (format.equals("csv")) {
            String header = text.substring(0, text.indexOf("\r\n"));
            assertThat(header).startsWith("position,org_id,");
            return text.substring(header.length() + 2).isEmpty() ? "" : text;
        }
        return text;
    }

    static List<Long> positions(JsonNode page) {
        List<Long> positions = new ArrayList<>();
        page.path("items").forEach(item -> positions.add(item.path("position").asLong()));
        return positions;
    }

    static List<Long> ndjsonPositions(String ndjson) {
        List<Long> positions = new ArrayList<>();
        for (String line : ndjson.split("\n")) {
            if (!line.isEmpty()) {
                positions.add(JSON.readTree(line).path("position").asLong());
            }
        }
        return positions;
    }

    /** RFC 4180: fields separated by commas, records by CRLF, quoted fields with doubled quotes. */
    static List<List<String>> parseCsv(String text) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    field.append('"');
                    i += 2;
                    continue;
                }
                if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
                i++;
                continue;
            }
            if (c == '"' && field.isEmpty()) {
                quoted = true;
            } else if (c == ',') {
                row.add(field.toString());
                field.setLength(0);
            } else if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                row.add(field.toString());
                field.setLength(0);
                rows.add(row);
                row = new ArrayList<>();
                i++;
            } else {
                field.append(c);
            }
            i++;
        }
        assertThat(field).isEmpty();
        assertThat(row).isEmpty();
        return rows;
    }
}
