package io.phasegate.query.integration;

import io.phasegate.platform.identity.testing.TestIdentities;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.phasegate.events.task.TaskClaimExpiredEvent;
import io.phasegate.events.task.TaskClaimedEvent;
import io.phasegate.events.task.TaskCreatedEvent;
import io.phasegate.events.task.TaskLeaseRenewedEvent;
import io.phasegate.events.task.TaskReleasedEvent;
import io.phasegate.events.workflow.WorkflowDefinition;
import io.phasegate.events.workflow.WorkflowKeys;
import io.phasegate.events.workflow.WorkflowPublishedEvent;
import io.phasegate.platform.identity.InternalTokens;
import io.phasegate.query.task.TaskProjection;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.axonframework.eventhandling.AbstractEventProcessor;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventHandlerInvoker;
import org.axonframework.eventhandling.Segment;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/**
 * query-service over real HTTP against a real event store and real query tables. Events are appended to the JDBC
 * event store through the context's own event bus (inside a unit of work), exactly as command-service appends them;
 * the service's processors tail the store and the HTTP API answers from the projections. Subclasses choose the
 * database (H2 server or PostgreSQL), a fresh one per class.
 */
abstract class AbstractQueryStorageTest extends QueryStorageTestSupport {

    @Test
    void runsOnTheFreshDatabaseOfThisClass() {
        assertThat(dataSource).isInstanceOf(HikariDataSource.class);
        assertThat(((HikariDataSource) dataSource).getJdbcUrl()).isEqualTo(databaseUrl());
        // the event store was migrated by this service (phasegate.storage.migrate-event-store=true)
        assertThat(jdbc.queryForList("SELECT \"script\" FROM eventstore.\"flyway_schema_history\""
                + " WHERE \"success\" = TRUE", String.class)).contains("V1__event_store.sql");
        assertThat(jdbc.queryForList("SELECT \"script\" FROM query.\"flyway_schema_history\""
                + " WHERE \"success\" = TRUE", String.class))
                .contains("V1__axon_infrastructure.sql", "V10__tasks_and_workflows.sql", "V11__task_claims.sql",
                        "V12__agent_workflow_read_models.sql");
    }

    @Test
    void aTaskIsReadableRightAfterItsEventWithMinPosition() {
        String taskId = UUID.randomUUID().toString();
        Instant createdAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        long position = append("Task", taskId, 0, new TaskCreatedEvent(taskId, "acme", "ryw", "Add login",
                "Users sign in with e-mail", "tdd-default", 3, "PLAN", List.of("dep-1", "dep-2"),
                List.of("java"), 7, "alice", createdAt));

        // no sleep: min_position makes the query wait for the projection
        JsonNode task = json(getTask(taskId, position, TestIdentities.acme())
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
                .expectBody(String.class).returnResult());
        assertThat(fieldNames(task)).isEqualTo(TASK_FIELDS);
        assertThat(task.path("task_id").asString()).isEqualTo(taskId);
        assertThat(task.path("org_id").asString()).isEqualTo("acme");
        assertThat(task.path("project_id").asString()).isEqualTo("ryw");
        assertThat(task.path("title").asString()).isEqualTo("Add login");
        assertThat(task.path("description").asString()).isEqualTo("Users sign in with e-mail");
        assertThat(task.path("status").asString()).isEqualTo("created");
        assertThat(task.path("phase").asString()).isEqualTo("PLAN");
        assertThat(task.path("claimed_by").isNull()).isTrue();
        assertThat(task.path("lease_expires_at").isNull()).isTrue();
        assertThat(task.path("workflow_id").asString()).isEqualTo("tdd-default");
        assertThat(task.path("workflow_version").asInt()).isEqualTo(3);
        assertThat(strings(task.path("depends_on"))).containsExactly("dep-1", "dep-2");
        assertThat(strings(task.path("required_capabilities"))).containsExactly("java");
        assertThat(task.path("priority").asInt()).isEqualTo(7);
        assertThat(task.path("created_by").asString()).isEqualTo("alice");
        assertThat(Instant.parse(task.path("created_at").asString())).isEqualTo(createdAt);
        assertThat(Instant.parse(task.path("updated_at").asString())).isEqualTo(createdAt);
        assertThat(task.path("position").asLong()).isEqualTo(position);

        // another organisation does not see it, not even once the projection has it
        JsonNode notFound = json(getTask(taskId, position, TestIdentities.other())
                .expectStatus().isNotFound()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody(String.class).returnResult());
        assertThat(notFound.path("code").asString()).isEqualTo("task_not_found");
        JsonNode othersList = json(listTasks("min_position=" + position, TestIdentities.other())
                .expectStatus().isOk().expectBody(String.class).returnResult());
        assertThat(othersList.path("items").isArray()).isTrue();
        assertThat(othersList.path("items").size()).isZero();
        assertThat(othersList.path("next_cursor").isNull()).isTrue();
        JsonNode acmeList = json(listTasks("project_id=ryw&min_position=" + position, TestIdentities.acme())
                .expectStatus().isOk().expectBody(String.class).returnResult());
        assertThat(ids(acmeList)).contains(taskId);
    }

    @Test
    void aClaimIsProjectedWithItsRenewedLeaseUntilItExpires() throws Exception {
        String taskId = "claim-" + UUID.randomUUID();
        String project = "claims-" + taskId.substring(6, 14);
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        append("Task", taskId, 0, task(taskId, "acme", project, "wf-a"));
        long claimed = append("Task", taskId, 1, new TaskClaimedEvent(taskId, "acme", "agent-7", "PLAN", 1, "jti-1",
                t0.plusSeconds(7200), t0.plusSeconds(900), t0.plusSeconds(1)));
        Instant renewedLease = t0.plusSeconds(1200);
        Instant renewedAt = t0.plusSeconds(300);
        long renewed = append("Task", taskId, 2, new TaskLeaseRenewedEvent(taskId, "acme", "agent-7", renewedLease,
                renewedAt));

        JsonNode task = json(getTask(taskId, renewed, TestIdentities.acme())
                .expectStatus().isOk().expectBody(String.class).returnResult());
        assertThat(fieldNames(task)).isEqualTo(TASK_FIELDS);
        assertThat(task.path("status").asString()).isEqualTo("claimed");
        assertThat(task.path("claimed_by").asString()).isEqualTo("agent-7");
        assertThat(Instant.parse(task.path("lease_expires_at").asString())).isEqualTo(renewedLease);
        assertThat(Instant.parse(task.path("updated_at").asString())).isEqualTo(renewedAt);
        assertThat(task.path("position").asLong()).isEqualTo(renewed);
        assertThat(ids(list("project_id=" + project + "&status=claimed", TestIdentities.acme())))
                .containsExactly(taskId);
        assertThat(jdbc.queryForObject("SELECT token_generation FROM tasks WHERE task_id = ?", Long.class, taskId))
                .isEqualTo(1L);

        // replay safety: the claim delivered again after the renewal does not roll the lease back
        List<String> row = taskRow(taskId);
        EventHandlerInvoker invoker = ((AbstractEventProcessor) processor(TaskProjection.GROUP)).eventHandlerInvoker();
        redeliver(invoker, trackedEventAt(claimed));
        redeliver(invoker, trackedEventAt(renewed));
        assertThat(taskRow(taskId)).isEqualTo(row);

        Instant expiredAt = t0.plusSeconds(1201);
        long expired = append("Task", taskId, 3, new TaskClaimExpiredEvent(taskId, "acme", "agent-7", renewedLease,
                expiredAt));
        JsonNode free = json(getTask(taskId, expired, TestIdentities.acme())
                .expectStatus().isOk().expectBody(String.class).returnResult());
        assertThat(fieldNames(free)).isEqualTo(TASK_FIELDS);
        assertThat(free.path("status").asString()).isEqualTo("created");
        assertThat(free.path("claimed_by").isNull()).isTrue();
        assertThat(free.path("lease_expires_at").isNull()).isTrue();
        assertThat(Instant.parse(free.path("updated_at").asString())).isEqualTo(expiredAt);
        assertThat(free.path("position").asLong()).isEqualTo(expired);
        assertThat(ids(list("project_id=" + project + "&status=claimed", TestIdentities.acme()))).isEmpty();
        assertThat(ids(list("project_id=" + project + "&status=created", TestIdentities.acme())))
                .containsExactly(taskId);
        assertThat(jdbc.queryForObject("SELECT token_generation FROM tasks WHERE task_id = ?", Long.class, taskId))
                .isEqualTo(1L);
    }

    @Test
    void theTaskListFiltersAndPagesWithACursor() {
        String project = "p-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> tasks = new ArrayList<>();
        long last = 0;
        for (int i = 1; i <= 5; i++) {
            String taskId = project + "-t" + i;
            tasks.add(taskId);
            last = append("Task", taskId, 0, task(taskId, "acme", project, i <= 3 ? "wf-a" : "wf-b"));
        }
        // same organisation, other project
        last = append("Task", project + "-elsewhere", 0, task(project + "-elsewhere", "acme", project + "-x", "wf-a"));
        String t1 = tasks.get(0), t2 = tasks.get(1), t3 = tasks.get(2), t4 = tasks.get(3), t5 = tasks.get(4);
        String acme = TestIdentities.acme();

        JsonNode all = list("project_id=" + project + "&min_position=" + last, acme);
        assertThat(ids(all)).containsExactly(t5, t4, t3, t2, t1); // newest first
        assertThat(all.path("next_cursor").isNull()).isTrue();
        assertThat(all.path("items").get(0).has("task_id")).isTrue();

        assertThat(ids(list("project_id=" + project + "&workflow_id=wf-b", acme))).containsExactly(t5, t4);
        assertThat(ids(list("project_id=" + project + "&workflow_id=wf-a", acme))).containsExactly(t3, t2, t1);
        assertThat(ids(list("project_id=" + project + "&status=created", acme))).containsExactly(t5, t4, t3, t2, t1);
        assertThat(ids(list("project_id=" + project + "&status=claimed", acme))).isEmpty();
        assertThat(ids(list("workflow_id=wf-a&min_position=" + last, acme)))
                .contains(t3, t2, t1, project + "-elsewhere").doesNotContain(t4, t5);

        // cursor pagination
        JsonNode page1 = list("project_id=" + project + "&limit=2", acme);
        assertThat(ids(page1)).containsExactly(t5, t4);
        String cursor1 = page1.path("next_cursor").asString();
        assertThat(cursor1).isNotBlank();
        JsonNode page2 = list("project_id=" + project + "&limit=2&after=" + cursor1, acme);
        assertThat(ids(page2)).containsExactly(t3, t2);
        String cursor2 = page2.path("next_cursor").asString();
        assertThat(cursor2).isNotBlank().isNotEqualTo(cursor1);
        JsonNode page3 = list("project_id=" + project + "&limit=2&after=" + cursor2, acme);
        assertThat(ids(page3)).containsExactly(t1);
        assertThat(page3.path("next_cursor").isNull()).isTrue();

        // a filter and pagination together
        JsonNode filtered1 = list("project_id=" + project + "&workflow_id=wf-a&limit=2", acme);
        assertThat(ids(filtered1)).containsExactly(t3, t2);
        JsonNode filtered2 = list("project_id=" + project + "&workflow_id=wf-a&limit=2&after="
                + filtered1.path("next_cursor").asString(), acme);
        assertThat(ids(filtered2)).containsExactly(t1);
        assertThat(filtered2.path("next_cursor").isNull()).isTrue();

        // invalid parameters
        for (String query : List.of("status=bogus", "limit=0", "limit=201", "after=not-a-cursor")) {
            JsonNode problem = json(listTasks(query, acme).expectStatus().isBadRequest()
                    .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectBody(String.class).returnResult());
            assertThat(problem.path("code").asString()).as(query).isEqualTo("invalid_parameter");
        }

        // none of it is visible to another organisation
        assertThat(ids(list("project_id=" + project, TestIdentities.other()))).isEmpty();
    }

    @Test
    void aPublishedWorkflowIsReadable() {
        String workflowId = "wf-" + UUID.randomUUID().toString().substring(0, 8);
        String key = WorkflowKeys.of("acme", workflowId);
        Instant publishedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        long v1 = append("Workflow", key, 0, new WorkflowPublishedEvent(key, "acme", workflowId, 1,
                definition(workflowId, 1, WorkflowDefinition.Enforcement.STRICT), "workflow: " + workflowId,
                "alice", publishedAt));

        JsonNode workflow = json(getWorkflow(workflowId, "min_position=" + v1, TestIdentities.acme())
                .expectStatus().isOk().expectBody(String.class).returnResult());
        assertThat(fieldNames(workflow)).isEqualTo(Set.of("org_id", "workflow_id", "version", "enforcement",
                "definition", "published_by", "published_at", "position"));
        assertThat(workflow.path("org_id").asString()).isEqualTo("acme");
        assertThat(workflow.path("workflow_id").asString()).isEqualTo(workflowId);
        assertThat(workflow.path("version").asInt()).isEqualTo(1);
        assertThat(workflow.path("enforcement").asString()).isEqualTo("strict");
        assertThat(workflow.path("published_by").asString()).isEqualTo("alice");
        assertThat(Instant.parse(workflow.path("published_at").asString())).isEqualTo(publishedAt);
        assertThat(workflow.path("position").asLong()).isEqualTo(v1);
        JsonNode definition = workflow.path("definition");
        assertThat(definition.path("id").asString()).isEqualTo(workflowId);
        assertThat(definition.path("token_ttl_seconds").asLong()).isEqualTo(7200);
        assertThat(definition.path("claim_lease_seconds").asLong()).isEqualTo(900);
        assertThat(definition.path("phases").size()).isEqualTo(2);
        assertThat(definition.path("phases").get(0).path("id").asString()).isEqualTo("PLAN");
        assertThat(strings(definition.path("phases").get(0).path("tools").path("allowed")))
                .containsExactly("read_file");
        assertThat(definition.path("phases").get(1).path("terminal").asBoolean()).isTrue();
        assertThat(definition.path("transitions").get(0).path("to").asString()).isEqualTo("DONE");

        // a second version: the latest is served by default, the first one on request
        long v2 = append("Workflow", key, 1, new WorkflowPublishedEvent(key, "acme", workflowId, 2,
                definition(workflowId, 2, WorkflowDefinition.Enforcement.PERMISSIVE), "workflow: " + workflowId,
                "alice", publishedAt.plusSeconds(60)));
        JsonNode latest = json(getWorkflow(workflowId, "min_position=" + v2, TestIdentities.acme())
                .expectStatus().isOk().expectBody(String.class).returnResult());
        assertThat(latest.path("version").asInt()).isEqualTo(2);
        assertThat(latest.path("enforcement").asString()).isEqualTo("permissive");
        assertThat(latest.path("position").asLong()).isEqualTo(v2);
        JsonNode first = json(getWorkflow(workflowId, "version=1", TestIdentities.acme())
                .expectStatus().isOk().expectBody(String.class).returnResult());
        assertThat(first.path("version").asInt()).isEqualTo(1);
        assertThat(first.path("position").asLong()).isEqualTo(v1);
        json(getWorkflow(workflowId, "version=3", TestIdentities.acme())
                .expectStatus().isNotFound().expectBody(String.class).returnResult());

        JsonNode listed = json(http.get().uri("/api/v1/workflows?min_position=" + v2)
                .header(InternalTokens.HEADER, TestIdentities.acme())
                .exchange().expectStatus().isOk().expectBody(String.class).returnResult());
        List<JsonNode> mine = new ArrayList<>();
        listed.path("items").forEach(item -> {
            if (item.path("workflow_id").asString().equals(workflowId)) {
                mine.add(item);
            }
        });
        assertThat(mine).hasSize(1);
        assertThat(mine.get(0).path("version").asInt()).isEqualTo(2);

        // another organisation
        JsonNode notFound = json(getWorkflow(workflowId, "min_position=" + v2, TestIdentities.other())
                .expectStatus().isNotFound()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody(String.class).returnResult());
        assertThat(notFound.path("code").asString()).isEqualTo("workflow_not_found");
        JsonNode othersList = json(http.get().uri("/api/v1/workflows")
                .header(InternalTokens.HEADER, TestIdentities.other())
                .exchange().expectStatus().isOk().expectBody(String.class).returnResult());
        assertThat(othersList.path("items").size()).isZero();
    }

    @Test
    void aPositionThatIsNotReachedIsA503WithinTheMaxWait() {
        long future = lastIndex() + 1_000_000;
        for (String uri : List.of("/api/v1/tasks/" + UUID.randomUUID() + "?min_position=" + future,
                "/api/v1/workflows?min_position=" + future)) {
            long start = System.nanoTime();
            JsonNode problem = json(http.get().uri(uri)
                    .header(InternalTokens.HEADER, TestIdentities.acme())
                    .exchange()
                    .expectStatus().isEqualTo(503)
                    .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectBody(String.class).returnResult());
            long elapsedMs = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertThat(problem.path("code").asString()).isEqualTo("position_not_reached");
            assertThat(problem.path("status").asInt()).isEqualTo(503);
            assertThat(problem.path("retry_after_seconds").asInt()).isEqualTo(1);
            assertThat(elapsedMs).as("%s answered after %d ms", uri, elapsedMs)
                    .isGreaterThanOrEqualTo(MAX_WAIT_MS - 50)
                    .isLessThan(MAX_WAIT_MS + 2_500);
        }
    }

    @Test
    void requestsWithoutAValidIdentityAreRefused() {
        for (String token : new String[]{null, "garbage", TestIdentities.forgedAcme()}) {
            WebTestClient.RequestHeadersSpec<?> request = http.get().uri("/api/v1/tasks");
            if (token != null) {
                request = request.header(InternalTokens.HEADER, token);
            }
            JsonNode problem = json(request.exchange()
                    .expectStatus().isUnauthorized()
                    .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectBody(String.class).returnResult());
            assertThat(problem.path("code").asString()).isEqualTo("unauthenticated");
        }
    }

    /** Runs last: it stops and resets the {@code tasks} processor, which the other tests rely on. */
    @Test
    @Order(Integer.MAX_VALUE)
    void replayingTheTaskProjectionRebuildsTheSameTable() {
        String project = "replay-" + UUID.randomUUID().toString().substring(0, 8);
        String first = project + "-1";
        String second = project + "-2";
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        append("Task", first, 0, task(first, "acme", project, "wf-a"));
        append("Task", second, 0, task(second, "acme", project, "wf-b"));
        // claim columns are rebuilt too: the first task was claimed and released, the second is claimed
        append("Task", first, 1, new TaskClaimedEvent(first, "acme", "agent-1", "PLAN", 1, "jti-a", t0.plusSeconds(7200),
                t0.plusSeconds(900), t0));
        append("Task", first, 2, new TaskReleasedEvent(first, "acme", "agent-1", t0.plusSeconds(60)));
        append("Task", second, 1, new TaskClaimedEvent(second, "acme", "agent-2", "PLAN", 1, "jti-b",
                t0.plusSeconds(7200), t0.plusSeconds(900), t0.plusSeconds(1)));
        long last = append("Task", second, 2, new TaskLeaseRenewedEvent(second, "acme", "agent-2",
                t0.plusSeconds(1200), t0.plusSeconds(300)));
        StreamingEventProcessor tasks = processor(TaskProjection.GROUP);
        awaitCaughtUp(tasks, last);
        List<String> before = taskRows();
        assertThat(before).hasSizeGreaterThanOrEqualTo(2);
        assertThat(before.size()).isEqualTo(taskEventCount());
        String digestBefore = digest(before);

        // damage the table: a changed row and a row no event produced; a replay must repair both
        jdbc.update("UPDATE tasks SET title = 'tampered', priority = 999 WHERE task_id = ?", first);
        jdbc.update("""
                INSERT INTO tasks (task_id, org_id, project_id, title, description, status, phase, workflow_id,
                                   workflow_version, depends_on, required_capabilities, priority, created_by,
                                   created_at, updated_at, created_position, position)
                VALUES (?, 'acme', ?, 'no event', NULL, 'created', 'PLAN', 'wf-a', 1, '[]', '[]', 0, 'x', ?, ?, 0, 0)""",
                project + "-orphan", project, Timestamp.from(Instant.now()), Timestamp.from(Instant.now()));
        jdbc.update("UPDATE tasks SET claimed_by = 'intruder', lease_expires_at = NULL, token_generation = 9"
                + " WHERE task_id = ?", second);
        assertThat(digest(taskRows())).isNotEqualTo(digestBefore);

        tasks.shutDown();
        tasks.resetTokens();
        tasks.start();
        awaitCaughtUp(tasks, last);

        List<String> after = taskRows();
        assertThat(after).isEqualTo(before);
        assertThat(digest(after)).isEqualTo(digestBefore);

        // and the HTTP API serves the rebuilt rows
        JsonNode page = list("project_id=" + project + "&min_position=" + last, TestIdentities.acme());
        assertThat(ids(page)).containsExactly(second, first);
        assertThat(page.path("items").get(1).path("title").asString()).isEqualTo("Task " + first);
        assertThat(page.path("items").get(1).path("status").asString()).isEqualTo("created");
        assertThat(page.path("items").get(1).path("claimed_by").isNull()).isTrue();
        assertThat(page.path("items").get(0).path("status").asString()).isEqualTo("claimed");
        assertThat(page.path("items").get(0).path("claimed_by").asString()).isEqualTo("agent-2");
        assertThat(Instant.parse(page.path("items").get(0).path("lease_expires_at").asString()))
                .isEqualTo(t0.plusSeconds(1200));
    }

    /**
     * Idempotency: the {@code tasks} processor's own {@link EventHandlerInvoker} (the annotated
     * {@link TaskProjection} handler with Axon's parameter resolution) is handed the very tracked event the processor
     * already applied, read back from the event store with its tracking token. Re-publishing is no way to test this:
     * the same aggregate sequence number cannot be appended twice, and a new event would be a different event.
     */
    @Test
    void applyingAnAlreadyAppliedEventAgainLeavesOneUnchangedRow() throws Exception {
        String taskId = "idem-" + UUID.randomUUID();
        long position = append("Task", taskId, 0, task(taskId, "acme", "idem", "wf-a"));
        getTask(taskId, position, TestIdentities.acme()).expectStatus().isOk();
        List<String> row = taskRow(taskId);
        assertThat(row).hasSize(1);

        TrackedEventMessage<?> event = trackedEventAt(position);
        assertThat(((DomainEventMessage<?>) event).getAggregateIdentifier()).isEqualTo(taskId);
        EventHandlerInvoker invoker = ((AbstractEventProcessor) processor(TaskProjection.GROUP)).eventHandlerInvoker();
        assertThat(invoker.canHandle(event, Segment.ROOT_SEGMENT)).isTrue();

        redeliver(invoker, event);
        redeliver(invoker, event);
        assertThat(taskRow(taskId)).isEqualTo(row);

        // control: the same invocation does apply the event when the row is missing, so the check above is not vacuous
        jdbc.update("DELETE FROM tasks WHERE task_id = ?", taskId);
        assertThat(taskRow(taskId)).isEmpty();
        redeliver(invoker, event);
        assertThat(taskRow(taskId)).isEqualTo(row);
        redeliver(invoker, event);
        assertThat(taskRow(taskId)).isEqualTo(row);
    }

}
