package io.phasegate.query.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.phasegate.events.task.PhaseTokenRefreshedEvent;
import io.phasegate.events.task.ReviewSubmittedEvent;
import io.phasegate.events.task.ReviewsRequestedEvent;
import io.phasegate.events.task.TaskCancelledEvent;
import io.phasegate.events.task.TaskClaimedEvent;
import io.phasegate.events.task.TaskCompletedEvent;
import io.phasegate.events.task.TaskCreatedEvent;
import io.phasegate.events.task.TaskLeaseRenewedEvent;
import io.phasegate.events.task.TaskReleasedEvent;
import io.phasegate.events.task.TaskTransitionRejectedEvent;
import io.phasegate.events.task.TaskTransitionedEvent;
import io.phasegate.events.task.TransitionBlocker;
import io.phasegate.events.tool.ToolApprovalGrantedEvent;
import io.phasegate.events.tool.ToolApprovalRequestedEvent;
import io.phasegate.events.tool.ToolCallDecidedEvent;
import io.phasegate.events.workflow.WorkflowDefinition;
import io.phasegate.events.workflow.WorkflowKeys;
import io.phasegate.events.workflow.WorkflowPublishedEvent;
import io.phasegate.platform.identity.InternalTokens;
import io.phasegate.query.task.TaskProjection;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/**
 * History for auditors against real storage and real HTTP: the raw event stream (NDJSON and server-sent events,
 * filters, organisation isolation, parameter checks, permissions) and the as-of reconstruction of a task compared,
 * position by position, with what the task projection held at that position.
 */
abstract class AbstractHistoryTest extends QueryStorageTestSupport {

    static final String EVENTS_URI = "/api/v1/history/events";
    static final Set<String> ITEM_FIELDS = Set.of("position", "event_id", "type", "payload_type", "revision",
            "aggregate_id", "aggregate_type", "sequence", "timestamp", "metadata", "payload");
    static final Set<String> AS_OF_FIELDS = Set.of("task_id", "org_id", "project_id", "title", "description",
            "status", "phase", "claimed_by", "lease_expires_at", "token_generation", "workflow_id", "workflow_version",
            "depends_on", "required_capabilities", "priority", "created_by", "created_at", "updated_at", "blockers",
            "completed_at", "cancelled_at", "created_position", "position", "as_of_position", "as_of_time",
            "events_applied");

    private final Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    // ------------------------------------------------------------------------------------------------------------

    @Test
    void theHistoryStreamsTheCallersOrganisationInGlobalOrderWithMetadata() {
        String s = suffix();
        String a = "hist-a-" + s;
        String b = "hist-b-" + s;
        long first = lastIndex() + 1;
        List<Long> acme = new ArrayList<>();
        List<Long> other = new ArrayList<>();
        acme.add(emit(a, created(a, "acme")));
        other.add(emit(b, created(b, "other")));
        acme.add(emit(a, claimed(a, "acme", 1)));
        other.add(emit(b, claimed(b, "other", 1)));
        String key = WorkflowKeys.of("acme", "wf-" + s);
        acme.add(emit("Workflow", key, new WorkflowPublishedEvent(key, "acme", "wf-" + s, 1,
                definition("wf-" + s, 1, WorkflowDefinition.Enforcement.STRICT), "workflow: wf-" + s, "alice", t0)));
        acme.add(emit(a, new TaskTransitionRejectedEvent(a, "acme", "agent-1", "wf", 1, "PLAN", "TDD",
                List.of("plan"), List.of(TransitionBlocker.of("missing_artifact", "plan")), t0.plusSeconds(2))));

        EntityExchangeResult<String> result = http.get().uri(EVENTS_URI + "?from_position=" + first)
                .header(InternalTokens.HEADER, RoleIdentities.auditor("acme"))
                .exchange()
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_NDJSON)
                .expectBody(String.class).returnResult();
        List<JsonNode> items = lines(result.getResponseBody());
        assertThat(positions(items)).containsExactlyElementsOf(acme);
        for (JsonNode item : items) {
            assertThat(fieldNames(item)).isEqualTo(ITEM_FIELDS);
            long position = item.path("position").asLong();
            Map<String, Object> stored = jdbc.queryForMap("SELECT * FROM " + EVENTS + " WHERE global_index = ?",
                    position);
            assertThat(item.path("event_id").asString()).isEqualTo(stored.get("event_identifier"));
            assertThat(item.path("aggregate_id").asString()).isEqualTo(stored.get("aggregate_identifier"));
            assertThat(item.path("aggregate_type").asString()).isEqualTo(stored.get("type"));
            assertThat(item.path("sequence").asLong()).isEqualTo(((Number) stored.get("sequence_number")).longValue());
            assertThat(item.path("payload_type").asString()).isEqualTo(stored.get("payload_type"));
            assertThat(item.path("payload_type").asString()).endsWith("." + item.path("type").asString());
            assertThat(item.path("revision").asString()).isEqualTo("1");
            assertThat(item.path("timestamp").asString()).isEqualTo(stored.get("time_stamp"));
            assertThat(Instant.parse(item.path("timestamp").asString())).isBefore(Instant.now().plusSeconds(1));
            assertThat(item.path("metadata").isObject()).isTrue();
            // the payload is the stored wire form, unchanged
            assertThat(item.path("payload")).isEqualTo(JSON.readTree((byte[]) stored.get("payload")));
            assertThat(item.path("payload").path("orgId").asString()).isEqualTo("acme");
        }
        assertThat(items.get(0).path("type").asString()).isEqualTo("TaskCreatedEvent");
        assertThat(items.get(0).path("aggregate_type").asString()).isEqualTo("Task");
        assertThat(items.get(0).path("payload").path("taskId").asString()).isEqualTo(a);
        assertThat(items.get(2).path("type").asString()).isEqualTo("WorkflowPublishedEvent");
        assertThat(items.get(2).path("aggregate_type").asString()).isEqualTo("Workflow");
        assertThat(items.get(3).path("payload").path("blockers").get(0).path("code").asString())
                .isEqualTo("missing_artifact");

        // an admin reads the audit history too; the other organisation sees its own events only, never acme's
        assertThat(positions(events("from_position=" + first, RoleIdentities.admin("acme")))).isEqualTo(acme);
        assertThat(positions(events("from_position=" + first, RoleIdentities.auditor("other")))).isEqualTo(other);
        assertThat(events("aggregate_id=" + a, RoleIdentities.auditor("other"))).isEmpty();
        assertThat(events("aggregate_id=" + key, RoleIdentities.auditor("other"))).isEmpty();
        List<JsonNode> everything = events("", RoleIdentities.auditor("other"));
        assertThat(everything).isNotEmpty().allMatch(item -> item.path("payload").path("orgId").asString().equals("other"));
        assertThat(positions(everything)).isSorted().doesNotHaveDuplicates().doesNotContainAnyElementsOf(acme);
        // an organisation without events gets an empty stream
        assertThat(events("", RoleIdentities.auditor("nobody-" + s))).isEmpty();
    }

    @Test
    void theHistoryFiltersByAggregateTypePositionTimeAndLimit() throws Exception {
        String s = suffix();
        String t1 = "filter-1-" + s;
        String t2 = "filter-2-" + s;
        long first = lastIndex() + 1;
        long c1 = emit(t1, created(t1, "acme"));
        long c2 = emit(t2, created(t2, "acme"));
        long claim1 = emit(t1, claimed(t1, "acme", 1));
        Thread.sleep(30); // a later millisecond: the times below separate the two groups
        long renew1 = emit(t1, new TaskLeaseRenewedEvent(t1, "acme", "agent-1", t0.plusSeconds(1200),
                t0.plusSeconds(300)));
        long cancel2 = emit(t2, new TaskCancelledEvent(t2, "acme", "PLAN", null, "obsolete", "alice",
                t0.plusSeconds(5)));
        emit("filter-other-" + s, created("filter-other-" + s, "other"));
        String from = "from_position=" + first;

        assertThat(positions(events("aggregate_id=" + t1, RoleIdentities.auditor("acme"))))
                .containsExactly(c1, claim1, renew1);
        assertThat(positions(events(from + "&type=TaskCreatedEvent", RoleIdentities.auditor("acme"))))
                .containsExactly(c1, c2);
        assertThat(positions(events(from + "&type=TaskCreatedEvent&type=TaskCancelledEvent",
                RoleIdentities.auditor("acme")))).containsExactly(c1, c2, cancel2);
        assertThat(positions(lines(http.get().uri(EVENTS_URI + "?" + from + "&type={types}",
                        "TaskCreatedEvent, TaskCancelledEvent").header(InternalTokens.HEADER, RoleIdentities.auditor("acme"))
                .exchange().expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody())))
                .containsExactly(c1, c2, cancel2);
        assertThat(positions(events("aggregate_id=" + t1 + "&type=TaskLeaseRenewedEvent",
                RoleIdentities.auditor("acme")))).containsExactly(renew1);
        assertThat(events(from + "&type=NoSuchEvent", RoleIdentities.auditor("acme"))).isEmpty();
        // positions are inclusive
        assertThat(positions(events("from_position=" + c2 + "&to_position=" + renew1, RoleIdentities.auditor("acme"))))
                .containsExactly(c2, claim1, renew1);
        assertThat(positions(events("from_position=" + claim1 + "&to_position=" + claim1,
                RoleIdentities.auditor("acme")))).containsExactly(claim1);
        assertThat(positions(events(from + "&limit=2", RoleIdentities.auditor("acme")))).containsExactly(c1, c2);
        assertThat(positions(events(from + "&limit=1&type=TaskCancelledEvent", RoleIdentities.auditor("acme"))))
                .containsExactly(cancel2);
        // times are the events' stored times, inclusive
        String claimTime = storedTime(claim1);
        String renewTime = storedTime(renew1);
        assertThat(renewTime).isGreaterThan(claimTime);
        assertThat(positions(events(from + "&to_time=" + claimTime, RoleIdentities.auditor("acme"))))
                .containsExactly(c1, c2, claim1);
        assertThat(positions(events(from + "&from_time=" + renewTime, RoleIdentities.auditor("acme"))))
                .containsExactly(renew1, cancel2);
        assertThat(positions(events(from + "&from_time=" + claimTime + "&to_time=" + claimTime,
                RoleIdentities.auditor("acme")))).contains(claim1).doesNotContain(renew1, cancel2);
        // any offset
        String offset = Instant.parse(renewTime).atOffset(java.time.ZoneOffset.ofHours(2)).toString();
        assertThat(offset).contains("+02:00");
        assertThat(positions(lines(http.get().uri(EVENTS_URI + "?" + from + "&from_time={t}", offset)
                .header(InternalTokens.HEADER, RoleIdentities.auditor("acme"))
                .exchange().expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody())))
                .containsExactly(renew1, cancel2);
    }

    @Test
    void theHistoryStreamsAsServerSentEventsAndResumesAfterTheLastEventId() {
        String s = suffix();
        String t = "sse-" + s;
        long first = lastIndex() + 1;
        List<Long> positions = new ArrayList<>();
        positions.add(emit(t, created(t, "acme")));
        positions.add(emit(t, claimed(t, "acme", 1)));
        emit("sse-other-" + s, created("sse-other-" + s, "other"));
        positions.add(emit(t, new TaskReleasedEvent(t, "acme", "agent-1", t0.plusSeconds(60))));

        EntityExchangeResult<String> result = http.get().uri(EVENTS_URI + "?from_position=" + first)
                .header(InternalTokens.HEADER, RoleIdentities.auditor("acme"))
                .accept(MediaType.TEXT_EVENT_STREAM)
                .exchange()
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
                .expectBody(String.class).returnResult();
        List<Map<String, String>> events = sse(result.getResponseBody());
        assertThat(events).hasSize(4);
        for (int i = 0; i < 3; i++) {
            Map<String, String> event = events.get(i);
            assertThat(event.get("id")).isEqualTo(String.valueOf(positions.get(i)));
            assertThat(event.get("event")).isEqualTo("history_event");
            JsonNode data = JSON.readTree(event.get("data"));
            assertThat(fieldNames(data)).isEqualTo(ITEM_FIELDS);
            assertThat(data.path("position").asLong()).isEqualTo(positions.get(i));
        }
        Map<String, String> end = events.get(3);
        assertThat(end).doesNotContainKey("id");
        assertThat(end.get("event")).isEqualTo("end");
        JsonNode summary = JSON.readTree(end.get("data"));
        assertThat(summary.path("count").asLong()).isEqualTo(3);
        assertThat(summary.path("last_position").asLong()).isEqualTo(positions.get(2));
        assertThat(summary.path("scanned_to_position").asLong()).isGreaterThanOrEqualTo(positions.get(2));

        // a reconnect with Last-Event-ID continues after it, with no duplicate
        List<Map<String, String>> resumed = sse(http.get().uri(EVENTS_URI + "?from_position=" + first)
                .header(InternalTokens.HEADER, RoleIdentities.auditor("acme"))
                .header("Last-Event-ID", String.valueOf(positions.get(0)))
                .accept(MediaType.TEXT_EVENT_STREAM)
                .exchange().expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody());
        assertThat(resumed.stream().filter(e -> e.containsKey("id")).map(e -> Long.parseLong(e.get("id"))).toList())
                .containsExactly(positions.get(1), positions.get(2));
        // the preferred type decides; NDJSON is the default
        assertThat(http.get().uri(EVENTS_URI + "?limit=1").header(InternalTokens.HEADER, RoleIdentities.auditor("acme"))
                .header(HttpHeaders.ACCEPT, "application/x-ndjson;q=0.5, text/event-stream")
                .exchange().expectStatus().isOk().returnResult(String.class).getResponseHeaders().getContentType()
                .isCompatibleWith(MediaType.TEXT_EVENT_STREAM)).isTrue();
        assertThat(http.get().uri(EVENTS_URI + "?limit=1").header(InternalTokens.HEADER, RoleIdentities.auditor("acme"))
                .header(HttpHeaders.ACCEPT, "*/*")
                .exchange().expectStatus().isOk().returnResult(String.class).getResponseHeaders().getContentType()
                .isCompatibleWith(MediaType.APPLICATION_NDJSON)).isTrue();
    }

    @Test
    void badHistoryParametersAre400AndRolesWithoutAuditRead403() {
        String types = IntStream.range(0, 51).mapToObj(i -> "E" + i).collect(Collectors.joining(","));
        for (String query : List.of("from_position=-1", "from_position=abc", "to_position=1.5", "to_position=",
                "from_position=10&to_position=5", "from_position=1&from_position=2", "from_time=yesterday",
                "from_time=2025-01-01", "to_time=2025-03-14T09:26:53", "from_time=2025-03-14T10:00:00Z&to_time=2025-03-14T09:00:00Z",
                "limit=0", "limit=-3", "limit=x", "limit=99999999999999999999", "type=Task-Created", "type=a.b.C",
                "type=" + types, "aggregate_id=", "aggregate_id=" + "x".repeat(256))) {
            JsonNode problem = problem(http.get().uri(EVENTS_URI + "?" + query), RoleIdentities.auditor("acme"), 400);
            assertThat(problem.path("code").asString()).as(query).isEqualTo("invalid_parameter");
        }
        JsonNode lastEventId = problem(http.get().uri(EVENTS_URI).accept(MediaType.TEXT_EVENT_STREAM)
                .header("Last-Event-ID", "not-a-position"), RoleIdentities.auditor("acme"), 400);
        assertThat(lastEventId.path("code").asString()).isEqualTo("invalid_parameter");
        for (String identity : List.of(RoleIdentities.developer("acme"), RoleIdentities.viewer("acme"),
                RoleIdentities.phaseTokenBearer())) {
            assertThat(problem(http.get().uri(EVENTS_URI), identity, 403).path("code").asString()).isEqualTo("forbidden");
        }
        assertThat(problem(http.get().uri(EVENTS_URI).accept(MediaType.APPLICATION_JSON), RoleIdentities.auditor("acme"),
                406).path("code").asString()).isEqualTo("not_acceptable");
        assertThat(problem(http.get().uri(EVENTS_URI), null, 401).path("code").asString()).isEqualTo("unauthenticated");
    }

    /**
     * The fold: after every event of a task (and after unrelated events in between), the as-of state at that
     * position equals the row the task projection held once it had processed that position.
     */
    @Test
    void theTaskAsOfEveryPositionIsWhatTheProjectionHeldThen() throws Exception {
        String s = suffix();
        String task = "asof-" + s;
        String noise = "asof-noise-" + s;
        String wf = "wf-asof";
        List<Object> lifecycle = List.of(
                new TaskCreatedEvent(task, "acme", "history", "Task " + task, "as of", wf, 2, "PLAN",
                        List.of("dep-x", "dep-y"), List.of("java"), 3, "alice", t0),
                claimed(task, "acme", 1),
                new TaskLeaseRenewedEvent(task, "acme", "agent-1", t0.plusSeconds(1500), t0.plusSeconds(20)),
                new TaskTransitionRejectedEvent(task, "acme", "agent-1", wf, 2, "PLAN", "REVIEW", List.of("plan"),
                        List.of(new TransitionBlocker("invalid_artifact", "plan.summary is required", "plan",
                                "/summary")), t0.plusSeconds(30)),
                new ToolCallDecidedEvent(task, "acme", "agent-1", wf, 2, "PLAN", "call-" + s, "read_file",
                        "sha256:x", Map.of("path", "a"), "allowed", null, null, null, List.of(), t0.plusSeconds(35)),
                new TaskTransitionedEvent(task, "acme", "agent-1", wf, 2, "PLAN", "REVIEW", Map.of(), List.of(), 2,
                        "jti-2", t0.plusSeconds(7200), t0.plusSeconds(40)),
                new ReviewsRequestedEvent(task, "acme", "REVIEW", 1, 1, "reviewer", t0.plusSeconds(50)),
                new ReviewSubmittedEvent(task, "acme", "REVIEW", 1, "rev-" + s, "bob", "approve", null,
                        t0.plusSeconds(60)),
                new ToolApprovalRequestedEvent(task, "acme", "agent-1", "REVIEW", "ap-" + s, "call-2-" + s,
                        "deploy_preview", "sha256:y", Map.of("env", "preview"), t0.plusSeconds(70)),
                new ToolApprovalGrantedEvent(task, "acme", "ap-" + s, "carol", "ok", t0.plusSeconds(80)),
                new PhaseTokenRefreshedEvent(task, "acme", "agent-1", "REVIEW", 3, "jti-3", t0.plusSeconds(9000),
                        t0.plusSeconds(90)),
                new TaskTransitionedEvent(task, "acme", "agent-1", wf, 2, "REVIEW", "COMPLETE", Map.of(), List.of(),
                        4, "jti-4", t0.plusSeconds(9000), t0.plusSeconds(100)),
                new TaskCompletedEvent(task, "acme", "agent-1", wf, "COMPLETE", t0.plusSeconds(100)));
        emit(noise, created(noise, "acme"));
        Map<Long, Map<String, String>> projected = new LinkedHashMap<>();
        List<Long> taskPositions = new ArrayList<>();
        List<Long> noisePositions = new ArrayList<>();
        for (int i = 0; i < lifecycle.size(); i++) {
            long position = emit(task, lifecycle.get(i));
            taskPositions.add(position);
            awaitCaughtUp(processor(TaskProjection.GROUP), position);
            projected.put(position, projectedRow(task));
            if (i % 4 == 1) {
                long other = emit(noise, new TaskLeaseRenewedEvent(noise, "acme", "agent-1", t0.plusSeconds(i),
                        t0.plusSeconds(i)));
                awaitCaughtUp(processor(TaskProjection.GROUP), other);
                noisePositions.add(other);
                projected.put(other, projectedRow(task));
            }
            Thread.sleep(3); // every event of the task in its own millisecond, for the as_of_time checks
        }
        assertThat(projected.get(taskPositions.get(3)).get("status")).isEqualTo("claimed");
        // the tool call decision is not one of the task row's events: the state stays as it was
        assertThat(projected.get(taskPositions.get(4))).isEqualTo(projected.get(taskPositions.get(3)));

        int applied = 0;
        for (Map.Entry<Long, Map<String, String>> step : projected.entrySet()) {
            long position = step.getKey();
            JsonNode asOf = asOf(task, "as_of_position=" + position, RoleIdentities.auditor("acme"));
            assertThat(fieldNames(asOf)).isEqualTo(AS_OF_FIELDS);
            assertThat(asOfRow(asOf)).as("as of position %d", position).isEqualTo(step.getValue());
            assertThat(asOf.path("as_of_position").asLong()).isEqualTo(position);
            assertThat(asOf.path("as_of_time").isNull()).isTrue();
            if (taskPositions.contains(position) && !(lifecycle.get(taskPositions.indexOf(position))
                    instanceof ToolCallDecidedEvent)) {
                applied++;
            }
            assertThat(asOf.path("events_applied").asInt()).isEqualTo(applied);
        }
        assertThat(applied).isEqualTo(lifecycle.size() - 1);
        JsonNode last = asOf(task, "as_of_position=" + lastIndex(), RoleIdentities.auditor("acme"));
        assertThat(last.path("status").asString()).isEqualTo("completed");
        assertThat(last.path("token_generation").asLong()).isEqualTo(4);
        assertThat(strings(last.path("depends_on"))).containsExactly("dep-x", "dep-y");

        // by time: the stored time of each of the task's events gives the state after that event
        for (long position : taskPositions) {
            JsonNode asOf = asOf(task, "as_of_time=" + storedTime(position), RoleIdentities.viewer("acme"));
            assertThat(asOfRow(asOf)).as("as of the time of position %d", position).isEqualTo(projected.get(position));
            // the same instant (the stored text keeps ".000" for whole seconds, Instant's text does not)
            assertThat(Instant.parse(asOf.path("as_of_time").asString())).isEqualTo(Instant.parse(storedTime(position)));
            assertThat(asOf.path("as_of_position").isNull()).isTrue();
        }

        // before the task existed, another organisation, a task that does not exist: 404
        long createdAt = taskPositions.get(0);
        assertThat(asOfProblem(task, "as_of_position=" + (createdAt - 1), RoleIdentities.auditor("acme"), 404)
                .path("code").asString()).isEqualTo("task_not_found");
        assertThat(asOfProblem(task, "as_of_time=2000-01-01T00:00:00Z", RoleIdentities.auditor("acme"), 404)
                .path("code").asString()).isEqualTo("task_not_found");
        for (String role : List.of("auditor", "admin", "developer", "viewer")) {
            assertThat(asOfProblem(task, "as_of_position=" + lastIndex(), RoleIdentities.of("other", role), 404)
                    .path("code").asString()).isEqualTo("task_not_found");
        }
        assertThat(asOfProblem("no-such-task-" + s, "as_of_position=" + lastIndex(), RoleIdentities.auditor("acme"),
                404).path("code").asString()).isEqualTo("task_not_found");
        // every role with tasks or audit read may ask; the phase-token bearer has neither
        for (String role : List.of("auditor", "admin", "developer", "viewer")) {
            asOf(task, "as_of_position=" + createdAt, RoleIdentities.of("acme", role));
        }
        assertThat(asOfProblem(task, "as_of_position=" + createdAt, RoleIdentities.phaseTokenBearer(), 403)
                .path("code").asString()).isEqualTo("forbidden");
        for (String query : List.of("", "as_of_position=1&as_of_time=2025-03-14T09:26:53Z", "as_of_position=-1",
                "as_of_position=abc", "as_of_position=1&as_of_position=2", "as_of_time=now", "as_of_time=")) {
            assertThat(asOfProblem(task, query, RoleIdentities.auditor("acme"), 400).path("code").asString())
                    .as(query).isEqualTo("invalid_parameter");
        }
    }

    // ------------------------------------------------------------------------------------------------------------

    TaskCreatedEvent created(String taskId, String org) {
        return new TaskCreatedEvent(taskId, org, "history", "Task " + taskId, null, "wf", 1, "PLAN", List.of(),
                List.of(), 0, "alice", t0);
    }

    TaskClaimedEvent claimed(String taskId, String org, long generation) {
        return new TaskClaimedEvent(taskId, org, "agent-1", "PLAN", generation, "jti-" + generation,
                t0.plusSeconds(7200), t0.plusSeconds(900), t0.plusSeconds(1));
    }

    String storedTime(long position) {
        return jdbc.queryForObject("SELECT time_stamp FROM " + EVENTS + " WHERE global_index = ?", String.class,
                position);
    }

    List<JsonNode> events(String query, String identity) {
        return lines(http.get().uri(EVENTS_URI + (query.isEmpty() ? "" : "?" + query))
                .header(InternalTokens.HEADER, identity)
                .exchange().expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody());
    }

    JsonNode asOf(String taskId, String query, String identity) {
        return json(http.get().uri("/api/v1/history/tasks/" + taskId + "?" + query)
                .header(InternalTokens.HEADER, identity)
                .exchange().expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
                .expectBody(String.class).returnResult());
    }

    JsonNode asOfProblem(String taskId, String query, String identity, int status) {
        return problem(http.get().uri("/api/v1/history/tasks/" + taskId + "?" + query), identity, status);
    }

    /** A problem document with {@code status}; never a stack trace. */
    JsonNode problem(WebTestClient.RequestHeadersSpec<?> request, String identity, int status) {
        if (identity != null) {
            request = request.header(InternalTokens.HEADER, identity);
        }
        EntityExchangeResult<String> result = request.exchange()
                .expectStatus().isEqualTo(status)
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody(String.class).returnResult();
        assertThat(result.getResponseBody()).doesNotContain("Exception").doesNotContain("\tat ");
        JsonNode problem = json(result);
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        return problem;
    }

    static List<JsonNode> lines(String body) {
        List<JsonNode> items = new ArrayList<>();
        if (body == null || body.isEmpty()) {
            return items;
        }
        assertThat(body).endsWith("\n");
        for (String line : body.split("\n")) {
            assertThat(line).isNotBlank();
            items.add(JSON.readTree(line));
        }
        return items;
    }

    static List<Long> positions(List<JsonNode> items) {
        return items.stream().map(item -> item.path("position").asLong()).toList();
    }

    /** Server-sent events: each a map of its fields ({@code id}, {@code event}, {@code data}); comments dropped. */
    static List<Map<String, String>> sse(String body) {
        List<Map<String, String>> events = new ArrayList<>();
        for (String block : body.split("\n\n")) {
            Map<String, String> event = new LinkedHashMap<>();
            for (String line : block.split("\n")) {
                if (line.isEmpty() || line.startsWith(":")) {
                    continue;
                }
                int colon = line.indexOf(':');
                event.merge(line.substring(0, colon), line.substring(colon + 1).stripLeading(), (x, y) -> x + "\n" + y);
            }
            if (!event.isEmpty()) {
                events.add(event);
            }
        }
        return events;
    }

    /** The task projection's row of the task: every column of the fold's state, as text. */
    Map<String, String> projectedRow(String taskId) {
        return jdbc.query("SELECT * FROM tasks WHERE task_id = ?", (ResultSet rs, int row) -> {
            Map<String, String> values = new TreeMap<>();
            for (String column : List.of("task_id", "org_id", "project_id", "title", "description", "status", "phase",
                    "claimed_by", "workflow_id", "created_by")) {
                values.put(column, String.valueOf(rs.getString(column)));
            }
            for (String column : List.of("workflow_version", "priority", "token_generation", "created_position",
                    "position")) {
                values.put(column, String.valueOf(rs.getLong(column)));
            }
            for (String column : List.of("lease_expires_at", "created_at", "updated_at", "completed_at",
                    "cancelled_at")) {
                values.put(column, instant(rs.getTimestamp(column)));
            }
            values.put("depends_on", JSON.readTree(rs.getString("depends_on")).toString());
            values.put("required_capabilities", JSON.readTree(rs.getString("required_capabilities")).toString());
            String blockers = rs.getString("blockers");
            values.put("blockers", blockers == null ? "[]" : JSON.readTree(blockers).toString());
            return values;
        }, taskId).get(0);
    }

    /** The same fields of an as-of answer. */
    static Map<String, String> asOfRow(JsonNode asOf) {
        Map<String, String> values = new TreeMap<>();
        for (String field : List.of("task_id", "org_id", "project_id", "title", "description", "status", "phase",
                "claimed_by", "workflow_id", "created_by", "workflow_version", "priority", "token_generation",
                "created_position", "position")) {
            JsonNode value = asOf.path(field);
            values.put(field, value.isNull() ? "null" : value.asString());
        }
        for (String field : List.of("lease_expires_at", "created_at", "updated_at", "completed_at", "cancelled_at")) {
            JsonNode value = asOf.path(field);
            values.put(field, value.isNull() ? "null" : Instant.parse(value.asString()).toString());
        }
        for (String field : List.of("depends_on", "required_capabilities", "blockers")) {
            values.put(field, asOf.path(field).toString());
        }
        return values;
    }

    private static String instant(Timestamp timestamp) {
        return timestamp == null ? "null" : timestamp.toInstant().toString();
    }
}
