package io.phasegate.query.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.phasegate.events.task.FindTaskQuery;
import io.phasegate.events.task.TaskClaimedEvent;
import io.phasegate.events.task.TaskCreatedEvent;
import io.phasegate.events.task.TaskTransitionRejectedEvent;
import io.phasegate.events.task.TaskView;
import io.phasegate.events.task.TransitionBlocker;
import io.phasegate.events.workflow.WorkflowDefinition;
import io.phasegate.events.workflow.WorkflowKeys;
import io.phasegate.events.workflow.WorkflowPublishedEvent;
import io.phasegate.platform.identity.InternalTokens;
import io.phasegate.query.task.TaskProjection;
import io.phasegate.query.workflow.WorkflowProjection;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ReplayStatus;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.axonframework.queryhandling.SubscriptionQueryResult;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import tools.jackson.databind.JsonNode;

/**
 * Projection administration against real storage and real HTTP: the projections are discovered and report their
 * progress; a rebuild of the task projection, held in the middle of its replay by a test handler, reports that it is
 * replaying with its progress, refuses a second rebuild, emits no subscription update while replaying, and ends with
 * tables equal (by hash) to the live ones. Only admins of the operator organisation ({@code acme} here) may use it.
 */
@TestPropertySource(properties = "phasegate.admin.operator-org=acme, ops")
@Import(AbstractProjectionAdminTest.Gate.class)
abstract class AbstractProjectionAdminTest extends QueryStorageTestSupport {

    static final String PROJECTIONS = "/api/v1/admin/projections";
    static final Set<String> STATUS_FIELDS = Set.of("name", "type", "running", "error", "replaying", "caught_up",
            "position", "head", "replay_end_position", "progress_percent", "lag", "segments", "last_rebuild");
    static final List<String> TASK_TABLES = List.of("tasks", "task_dependencies", "task_capabilities",
            "task_review_rounds", "task_reviews", "tool_approvals");

    @Autowired
    ReplayGate gate;

    @Autowired
    QueryGateway queryGateway;

    private final Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    /** Holds the replay of the {@code tasks} processor when it reaches the armed task (live processing passes). */
    @ProcessingGroup(TaskProjection.GROUP)
    static class ReplayGate {

        volatile String armed;
        final CountDownLatch reached = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @EventHandler
        void on(TaskCreatedEvent event, ReplayStatus status) throws InterruptedException {
            if (status.isReplay() && event.taskId().equals(armed)) {
                reached.countDown();
                release.await(30, TimeUnit.SECONDS);
            }
        }
    }

    @TestConfiguration
    static class Gate {
        @Bean
        ReplayGate replayGate() {
            return new ReplayGate();
        }
    }

    // ------------------------------------------------------------------------------------------------------------

    @Test
    void theProjectionsAreListedWithTheirProgress() {
        String task = "list-" + suffix();
        long last = emit(task, created(task, "acme"));
        awaitAllCaughtUp(last);
        JsonNode list = get(PROJECTIONS, RoleIdentities.admin("acme"));
        assertThat(fieldNames(list)).isEqualTo(Set.of("items", "head"));
        assertThat(list.path("head").asLong()).isEqualTo(last);
        List<String> names = new ArrayList<>();
        list.path("items").forEach(item -> names.add(item.path("name").asString()));
        assertThat(names).contains(TaskProjection.GROUP, WorkflowProjection.GROUP, "tool-calls", "workflow-metrics")
                .isSorted();
        for (JsonNode item : list.path("items")) {
            assertThat(fieldNames(item)).isEqualTo(STATUS_FIELDS);
        }
        JsonNode tasks = get(PROJECTIONS + "/" + TaskProjection.GROUP, RoleIdentities.admin("acme"));
        assertThat(tasks.path("name").asString()).isEqualTo(TaskProjection.GROUP);
        assertThat(tasks.path("type").asString()).isEqualTo("tracking");
        assertThat(tasks.path("running").asBoolean()).isTrue();
        assertThat(tasks.path("error").asBoolean()).isFalse();
        assertThat(tasks.path("replaying").asBoolean()).isFalse();
        assertThat(tasks.path("position").asLong()).isEqualTo(last);
        assertThat(tasks.path("head").asLong()).isEqualTo(last);
        assertThat(tasks.path("lag").asLong()).isZero();
        assertThat(tasks.path("progress_percent").asDouble()).isEqualTo(100.0);
        assertThat(tasks.path("replay_end_position").isNull()).isTrue();
        assertThat(tasks.path("last_rebuild").isNull()).isTrue();
        assertThat(tasks.path("segments").size()).isEqualTo(1);
        JsonNode segment = tasks.path("segments").get(0);
        assertThat(fieldNames(segment)).isEqualTo(Set.of("segment", "position", "replaying", "caught_up", "error"));
        assertThat(segment.path("position").asLong()).isEqualTo(last);

        assertThat(problem(PROJECTIONS + "/no-such-projection", "GET", RoleIdentities.admin("acme"), 404)
                .path("code").asString()).isEqualTo("projection_not_found");
        assertThat(problem(PROJECTIONS + "/no-such-projection/rebuild", "POST", RoleIdentities.admin("acme"), 404)
                .path("code").asString()).isEqualTo("projection_not_found");
    }

    @Test
    void aProjectionProcessedByAnotherInstanceShowsItsStoredProgress() {
        String task = "elsewhere-" + suffix();
        long processed = emit(task, created(task, "acme"));
        awaitAllCaughtUp(processed);
        // stopped here, its segment unclaimed with its token stored: as when another instance processes it
        StreamingEventProcessor workflows = processor(WorkflowProjection.GROUP);
        workflows.shutDown();
        try {
            String later = "elsewhere-b-" + suffix();
            long head = emit(later, created(later, "acme"));
            JsonNode status = get(PROJECTIONS + "/" + WorkflowProjection.GROUP, RoleIdentities.admin("acme"));
            assertThat(status.path("running").asBoolean()).isFalse();
            assertThat(status.path("head").asLong()).isEqualTo(head);
            assertThat(status.path("segments").size()).as(status.toString()).isEqualTo(1);
            JsonNode segment = status.path("segments").get(0);
            long stored = segment.path("position").asLong();
            assertThat(stored).as("the stored token's position").isBetween(1L, processed);
            assertThat(status.path("position").asLong()).isEqualTo(stored);
            assertThat(status.path("lag").asLong()).isEqualTo(head - stored);
            assertThat(segment.path("caught_up").asBoolean()).isFalse();
            assertThat(status.path("replaying").asBoolean()).isFalse();
        } finally {
            workflows.start();
        }
    }

    @Test
    void onlyAdminsOfTheOperatorOrganisationsAdministerProjections() {
        for (String identity : List.of(RoleIdentities.auditor("acme"), RoleIdentities.developer("acme"),
                RoleIdentities.viewer("acme"), RoleIdentities.phaseTokenBearer(), RoleIdentities.admin("other"))) {
            for (String[] call : List.of(new String[]{"GET", PROJECTIONS}, new String[]{"GET", PROJECTIONS + "/tasks"},
                    new String[]{"POST", PROJECTIONS + "/tasks/rebuild"})) {
                assertThat(problem(call[1], call[0], identity, 403).path("code").asString()).isEqualTo("forbidden");
            }
        }
        get(PROJECTIONS, RoleIdentities.admin("ops"));
        assertThat(problem(PROJECTIONS, "GET", null, 401).path("code").asString()).isEqualTo("unauthenticated");
    }

    /** Runs last: it rebuilds projections. */
    @Test
    @Order(Integer.MAX_VALUE)
    void aRebuildReplaysWithProgressWithoutUpdatesAndEndsEqualToTheLiveProjection() throws Exception {
        String s = suffix();
        String key = WorkflowKeys.of("acme", "wf-" + s);
        emit("Workflow", key, new WorkflowPublishedEvent(key, "acme", "wf-" + s, 1,
                definition("wf-" + s, 1, WorkflowDefinition.Enforcement.STRICT), "workflow: wf-" + s, "alice", t0));
        // enough events that the replay commits batches before it reaches the armed task
        String watched = "watched-" + s;
        emit(watched, created(watched, "acme"));
        for (int i = 0; i < 150; i++) {
            String task = "rb-" + i + "-" + s;
            emit(task, created(task, i % 2 == 0 ? "acme" : "other"));
            emit(task, new TaskClaimedEvent(task, i % 2 == 0 ? "acme" : "other", "agent-" + i, "PLAN", 1, "jti",
                    t0.plusSeconds(7200), t0.plusSeconds(900), t0.plusSeconds(i)));
        }
        String marker = "marker-" + s;
        emit(marker, created(marker, "acme"));
        for (int i = 0; i < 40; i++) {
            String task = "rb-late-" + i + "-" + s;
            emit(task, created(task, "acme"));
            emit(task, new TaskTransitionRejectedEvent(task, "acme", "agent-1", "wf-" + s, 1, "PLAN", "DONE",
                    List.of("plan"), List.of(TransitionBlocker.of("missing_artifact", "plan")), t0.plusSeconds(i)));
        }
        long last = emit(watched, new TaskClaimedEvent(watched, "acme", "agent-w", "PLAN", 1, "jti-w",
                t0.plusSeconds(7200), t0.plusSeconds(900), t0));
        awaitAllCaughtUp(last);
        String tasksBefore = digest(dump(TASK_TABLES));
        String workflowsBefore = digest(dump(List.of("workflows")));
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM tasks", Integer.class)).isGreaterThan(190);

        List<TaskView> updates = new CopyOnWriteArrayList<>();
        SubscriptionQueryResult<Optional<TaskView>, TaskView> subscription = queryGateway.subscriptionQuery(
                new FindTaskQuery("acme", watched), ResponseTypes.optionalInstanceOf(TaskView.class),
                ResponseTypes.instanceOf(TaskView.class));
        try {
            assertThat(subscription.initialResult().block(Duration.ofSeconds(10))).isPresent();
            subscription.updates().subscribe(updates::add);

            gate.armed = marker;
            JsonNode started = json(http.post().uri(PROJECTIONS + "/tasks/rebuild")
                    .header(InternalTokens.HEADER, RoleIdentities.admin("acme"))
                    .exchange()
                    .expectStatus().isAccepted()
                    .expectHeader().valueEquals("Location", PROJECTIONS + "/tasks")
                    .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
                    .expectBody(String.class).returnResult());
            assertThat(fieldNames(started)).isEqualTo(STATUS_FIELDS);
            assertThat(started.path("name").asString()).isEqualTo("tasks");
            assertThat(started.path("replaying").asBoolean()).isTrue();
            assertThat(started.path("running").asBoolean()).isTrue();
            JsonNode rebuild = started.path("last_rebuild");
            assertThat(rebuild.path("requested_by").asString()).isEqualTo("admin@acme");
            assertThat(rebuild.path("requested_by_org").asString()).isEqualTo("acme");
            assertThat(rebuild.path("head_at_request").asLong()).isEqualTo(last);
            assertThat(Instant.parse(rebuild.path("requested_at").asString())).isBefore(Instant.now().plusSeconds(1));

            // the replay holds at the marker: progress is reported part-way
            assertThat(gate.reached.await(30, TimeUnit.SECONDS)).isTrue();
            JsonNode[] midway = new JsonNode[1];
            awaitCondition("the replay reports progress", () -> {
                midway[0] = get(PROJECTIONS + "/tasks", RoleIdentities.admin("acme"));
                return midway[0].path("position").isNumber() && midway[0].path("position").asLong() > 0;
            }, Duration.ofSeconds(15), () -> String.valueOf(midway[0]));
            JsonNode status = midway[0];
            assertThat(status.path("replaying").asBoolean()).isTrue();
            assertThat(status.path("caught_up").asBoolean()).isFalse();
            long position = status.path("position").asLong();
            long end = status.path("replay_end_position").asLong();
            assertThat(end).isEqualTo(last);
            assertThat(position).isLessThan(end);
            assertThat(status.path("progress_percent").asDouble()).isGreaterThan(0.0).isLessThan(100.0)
                    .isEqualTo(Math.floor(position * 1000.0 / end) / 10.0);
            assertThat(status.path("lag").asLong()).isEqualTo(last - position);
            assertThat(status.path("segments").get(0).path("replaying").asBoolean()).isTrue();
            JsonNode inList = null;
            for (JsonNode item : get(PROJECTIONS, RoleIdentities.admin("acme")).path("items")) {
                if (item.path("name").asString().equals("tasks")) {
                    inList = item;
                }
            }
            assertThat(inList).isNotNull();
            assertThat(inList.path("replaying").asBoolean()).isTrue();
            // a second rebuild while replaying is refused
            assertThat(problem(PROJECTIONS + "/tasks/rebuild", "POST", RoleIdentities.admin("acme"), 409)
                    .path("code").asString()).isEqualTo("rebuild_in_progress");

            gate.release.countDown();
            JsonNode[] done = new JsonNode[1];
            awaitCondition("the rebuild completes", () -> {
                done[0] = get(PROJECTIONS + "/tasks", RoleIdentities.admin("acme"));
                return !done[0].path("replaying").asBoolean() && done[0].path("position").asLong() >= last;
            }, Duration.ofSeconds(30), () -> String.valueOf(done[0]));
            assertThat(done[0].path("progress_percent").asDouble()).isEqualTo(100.0);
            assertThat(done[0].path("error").asBoolean()).isFalse();
            assertThat(done[0].path("replay_end_position").isNull()).isTrue();
            assertThat(done[0].path("last_rebuild").path("requested_by").asString()).isEqualTo("admin@acme");
            assertThat(digest(dump(TASK_TABLES))).isEqualTo(tasksBefore);
            // nothing was emitted to the task's subscribers while replaying
            assertThat(updates).isEmpty();

            // live again: a new event is projected and emitted as usual
            long after = emit(watched, new TaskTransitionRejectedEvent(watched, "acme", "agent-w", "wf-" + s, 1,
                    "PLAN", "DONE", List.of(), List.of(TransitionBlocker.of("missing_artifact", "plan")), t0));
            awaitCaughtUp(processor(TaskProjection.GROUP), after);
            awaitCondition("one update", () -> updates.size() == 1, Duration.ofSeconds(10), updates::toString);
            assertThat(updates.get(0).blockers()).extracting(TransitionBlocker::code).containsExactly("missing_artifact");
        } finally {
            gate.release.countDown();
            subscription.cancel();
        }

        // another projection, without a gate
        json(http.post().uri(PROJECTIONS + "/workflows/rebuild")
                .header(InternalTokens.HEADER, RoleIdentities.admin("ops"))
                .exchange().expectStatus().isAccepted().expectBody(String.class).returnResult());
        awaitCondition("the workflows rebuild completes", () -> {
            JsonNode workflows = get(PROJECTIONS + "/workflows", RoleIdentities.admin("acme"));
            return !workflows.path("replaying").asBoolean() && workflows.path("position").asLong() >= lastIndex();
        }, Duration.ofSeconds(30));
        assertThat(digest(dump(List.of("workflows")))).isEqualTo(workflowsBefore);
        getWorkflow("wf-" + s, "", RoleIdentities.developer("acme")).expectStatus().isOk();
    }

    // ------------------------------------------------------------------------------------------------------------

    TaskCreatedEvent created(String taskId, String org) {
        return new TaskCreatedEvent(taskId, org, "admin", "Task " + taskId, null, "wf", 1, "PLAN",
                List.of("dep-" + taskId), List.of("java"), 0, "alice", t0);
    }

    void awaitAllCaughtUp(long position) {
        for (String group : GROUPS) {
            awaitCaughtUp(processor(group), position);
        }
    }

    JsonNode get(String uri, String identity) {
        return json(http.get().uri(uri).header(InternalTokens.HEADER, identity)
                .exchange().expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
                .expectBody(String.class).returnResult());
    }

    JsonNode problem(String uri, String method, String identity, int status) {
        var request = "POST".equals(method) ? http.post().uri(uri) : http.get().uri(uri);
        if (identity != null) {
            request = request.header(InternalTokens.HEADER, identity);
        }
        EntityExchangeResult<String> result = request.exchange()
                .expectStatus().isEqualTo(status)
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody(String.class).returnResult();
        assertThat(result.getResponseBody()).doesNotContain("Exception").doesNotContain("\tat ");
        return json(result);
    }

    /** Every row of the tables, as sorted text. */
    List<String> dump(List<String> tables) {
        List<String> rows = new ArrayList<>();
        for (String table : tables) {
            List<String> tableRows = new ArrayList<>();
            for (Map<String, Object> row : jdbc.queryForList("SELECT * FROM " + table)) {
                Map<String, String> normalised = new TreeMap<>();
                row.forEach((column, value) -> normalised.put(column.toLowerCase(), value instanceof Timestamp ts
                        ? ts.toInstant().toString() : String.valueOf(value)));
                tableRows.add(table + " " + normalised);
            }
            tableRows.sort(String::compareTo);
            rows.addAll(tableRows);
        }
        return rows;
    }
}
