package io.phasegate.command.storage;

import io.phasegate.platform.identity.testing.TestIdentities;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.phasegate.platform.identity.InternalTokens;
import io.phasegate.platform.storage.StorageProperties;
import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * command-service over real HTTP against a real event store: what a publication and a task creation write to
 * {@code eventstore.domain_event_entry}, what the schema looks like, and that rejected or unauthenticated requests
 * write nothing. Subclasses choose the database (H2 server or PostgreSQL), a fresh one per class.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"axon.update-check.disabled=true", "axoniq.update-checker.disabled=true"})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
abstract class AbstractCommandStorageTest {

    /** The example of SPEC §2.1, verbatim. */
    static final String SPEC_WORKFLOW = io.phasegate.command.workflow.TestWorkflows.specExample();

    static final String EVENTS = "eventstore.domain_event_entry";
    static final String WORKFLOW_PUBLISHED = "io.phasegate.events.workflow.WorkflowPublishedEvent";
    static final String TASK_CREATED = "io.phasegate.events.task.TaskCreatedEvent";
    static final JsonMapper JSON = JsonMapper.builder().build();

    /** The JDBC URL of this class's fresh database. */
    abstract String databaseUrl();

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    DataSource dataSource;

    @Autowired
    StorageProperties storage;

    WebTestClient http;

    @BeforeEach
    void client() {
        http = WebTestClient.bindToServer()
                .baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(30))
                .build();
    }

    /** Checks of the event store's columns that differ per database. */
    abstract void assertVendorSpecificEventStoreSchema();

    // ------------------------------------------------------------------------------------------------------------

    @Autowired
    org.axonframework.deadline.DeadlineManager deadlineManager;

    @Autowired
    org.axonframework.eventhandling.tokenstore.TokenStore tokenStore;

    @Test
    void deadlinesAndTrackingTokensAreStoredInTheDatabase() {
        assertThat(deadlineManager)
                .isInstanceOf(org.axonframework.deadline.dbscheduler.DbSchedulerDeadlineManager.class);
        assertThat(tokenStore).isInstanceOf(org.axonframework.eventhandling.tokenstore.jdbc.JdbcTokenStore.class);
    }

    @Autowired
    org.axonframework.commandhandling.gateway.CommandGateway commands;

    /** The lease deadline is scheduled in db-scheduler's table and fires from there (claim_lease_seconds: 5). */
    @Test
    void anUnrenewedClaimExpiresThroughThePersistentDeadlineManager() throws Exception {
        String acme = TestIdentities.acme();
        String workflowId = "lease-" + UUID.randomUUID().toString().substring(0, 8);
        publish(workflowId, SPEC_WORKFLOW.replace("workflow: tdd-default", "workflow: " + workflowId)
                .replace("claim_lease_seconds: 900", "claim_lease_seconds: 5"), acme).expectStatus().isCreated();
        String taskId = json(createTask(Map.of("title", "Short lease", "workflow_id", workflowId), acme)
                .expectStatus().isCreated().expectBody(String.class).returnResult()).path("task_id").asString();

        Object grant = commands.sendAndWait(new io.phasegate.events.task.ClaimTaskCommand(taskId, "acme", "agent-1",
                List.of(), List.of()));
        assertThat(grant).isInstanceOf(io.phasegate.events.task.PhaseTokenGrant.class);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM scheduled_tasks", Long.class)).isPositive();

        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        List<Map<String, Object>> rows = rowsOf(taskId);
        while (rows.size() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            rows = rowsOf(taskId);
        }
        assertThat(rows).extracting(row -> row.get("payload_type")).containsExactly(
                "io.phasegate.events.task.TaskCreatedEvent",
                "io.phasegate.events.task.TaskClaimedEvent",
                "io.phasegate.events.task.TaskClaimExpiredEvent");
        JsonNode expired = payload(rows.get(2));
        assertThat(expired.path("agentId").asString()).isEqualTo("agent-1");
    }

    @Test
    void runsOnTheFreshDatabaseOfThisClass() {
        assertThat(dataSource).isInstanceOf(HikariDataSource.class);
        assertThat(((HikariDataSource) dataSource).getJdbcUrl()).isEqualTo(databaseUrl());
        assertThat(storage.storageMode().dialect().driverClassName())
                .isEqualTo(((HikariDataSource) dataSource).getDriverClassName());
    }

    @Test
    void publishingAWorkflowAndCreatingATaskAppendEventsAtTheAnsweredPositions() {
        String acme = TestIdentities.acme();
        JsonNode published = json(publish("tdd-default", SPEC_WORKFLOW, acme).expectStatus().isCreated()
                .expectHeader().valueEquals(HttpHeaders.LOCATION, "/api/v1/workflows/tdd-default?version=1")
                .expectBody(String.class).returnResult());
        assertThat(published.path("workflow_id").asString()).isEqualTo("tdd-default");
        assertThat(published.path("version").asInt()).isEqualTo(1);
        long workflowPosition = published.path("position").asLong();

        JsonNode created = json(createTask(Map.of("title", "  Add login  ", "workflow_id", "tdd-default",
                        "project_id", "web", "priority", 5, "required_capabilities", List.of("java", "java")), acme)
                .expectStatus().isCreated()
                .expectBody(String.class).returnResult());
        String taskId = created.path("task_id").asString();
        long taskPosition = created.path("position").asLong();
        assertThat(taskId).isNotBlank();

        // the workflow's event
        List<Map<String, Object>> workflowRows = rowsOf("acme/tdd-default");
        assertThat(workflowRows).hasSize(1);
        Map<String, Object> workflowRow = workflowRows.get(0);
        assertThat(workflowRow.get("payload_type")).isEqualTo(WORKFLOW_PUBLISHED);
        assertThat(workflowRow.get("payload_revision")).isEqualTo("1");
        assertThat(workflowRow.get("type")).isEqualTo("Workflow");
        assertThat(((Number) workflowRow.get("sequence_number")).longValue()).isZero();
        assertThat(((Number) workflowRow.get("global_index")).longValue()).isEqualTo(workflowPosition);
        JsonNode workflowEvent = payload(workflowRow);
        assertThat(workflowEvent.path("workflowKey").asString()).isEqualTo("acme/tdd-default");
        assertThat(workflowEvent.path("orgId").asString()).isEqualTo("acme");
        assertThat(workflowEvent.path("workflowId").asString()).isEqualTo("tdd-default");
        assertThat(workflowEvent.path("version").asInt()).isEqualTo(1);
        assertThat(workflowEvent.path("publishedBy").asString()).isEqualTo("alice");
        assertThat(workflowEvent.path("source").asString()).isEqualTo(SPEC_WORKFLOW);
        assertThat(workflowEvent.path("definition").path("phases").size()).isEqualTo(5);
        assertThat(workflowEvent.path("definition").path("transitions").size()).isEqualTo(5);
        assertNoSecrets(workflowRow, acme);

        // the task's event
        List<Map<String, Object>> taskRows = rowsOf(taskId);
        assertThat(taskRows).hasSize(1);
        Map<String, Object> taskRow = taskRows.get(0);
        assertThat(taskRow.get("payload_type")).isEqualTo(TASK_CREATED);
        assertThat(taskRow.get("payload_revision")).isEqualTo("1");
        assertThat(taskRow.get("type")).isEqualTo("Task");
        assertThat(((Number) taskRow.get("global_index")).longValue()).isEqualTo(taskPosition);
        JsonNode taskEvent = payload(taskRow);
        assertThat(taskEvent.path("taskId").asString()).isEqualTo(taskId);
        assertThat(taskEvent.path("orgId").asString()).isEqualTo("acme");
        assertThat(taskEvent.path("projectId").asString()).isEqualTo("web");
        assertThat(taskEvent.path("title").asString()).isEqualTo("Add login");
        assertThat(taskEvent.path("workflowId").asString()).isEqualTo("tdd-default");
        assertThat(taskEvent.path("workflowVersion").asInt()).isEqualTo(1);
        assertThat(taskEvent.path("phase").asString()).isEqualTo("PLAN");
        assertThat(taskEvent.path("priority").asInt()).isEqualTo(5);
        assertThat(taskEvent.path("requiredCapabilities").size()).isEqualTo(1);
        assertThat(taskEvent.path("createdBy").asString()).isEqualTo("alice");
        assertThat(taskEvent.path("createdAt").isMissingNode()).isFalse();
        assertNoSecrets(taskRow, acme);

        // appended in order, and nothing else was appended in between
        assertThat(taskPosition).isGreaterThan(workflowPosition);
        assertThat(jdbc.queryForList("SELECT global_index FROM " + EVENTS
                        + " WHERE global_index >= ? AND global_index <= ? ORDER BY global_index", Long.class,
                workflowPosition, taskPosition))
                .containsExactly(workflowPosition, taskPosition);
    }

    @Test
    void eventStoreSchemaIsMigratedByFlyway() {
        // the history table is created by Flyway with quoted lower-case names on both databases
        List<Map<String, Object>> eventStore = jdbc.queryForList(
                "SELECT \"version\", \"script\", \"success\" FROM eventstore.\"flyway_schema_history\""
                        + " WHERE \"version\" IS NOT NULL ORDER BY \"installed_rank\"");
        assertThat(eventStore).extracting(r -> r.get("version"), r -> r.get("script"))
                .containsExactly(org.assertj.core.groups.Tuple.tuple("1", "V1__event_store.sql"));
        assertThat(eventStore).allSatisfy(r -> assertThat(r.get("success")).isEqualTo(Boolean.TRUE));

        List<Map<String, Object>> service = jdbc.queryForList(
                "SELECT \"version\", \"script\", \"success\" FROM command.\"flyway_schema_history\""
                        + " WHERE \"version\" IS NOT NULL ORDER BY \"installed_rank\"");
        assertThat(service).extracting(r -> r.get("version"), r -> r.get("script"))
                .contains(org.assertj.core.groups.Tuple.tuple("1", "V1__axon_infrastructure.sql"));
        assertThat(service).allSatisfy(r -> assertThat(r.get("success")).isEqualTo(Boolean.TRUE));

        // the tables the migrations create are there (and empty tables can be read)
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM eventstore.snapshot_event_entry", Long.class))
                .isNotNull();
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM command.token_entry", Long.class)).isNotNull();
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM command.scheduled_tasks", Long.class)).isNotNull();

        assertVendorSpecificEventStoreSchema();
    }

    @Test
    void rejectedCommandsAppendNothing() {
        String workflowId = "rejections-" + UUID.randomUUID().toString().substring(0, 8);
        String acme = TestIdentities.acme();
        publish(workflowId, SPEC_WORKFLOW.replace("workflow: tdd-default", "workflow: " + workflowId), acme)
                .expectStatus().isCreated();
        long rows = eventCount();
        Long last = lastIndex();

        // syntactically invalid YAML
        JsonNode invalidYaml = json(publish(workflowId, "workflow: [" + workflowId + "\nversion: 2\n", acme)
                .expectStatus().isEqualTo(422)
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody(String.class).returnResult());
        assertThat(invalidYaml.path("code").asString()).isEqualTo("invalid_workflow");
        assertThat(invalidYaml.path("problems").isArray()).isTrue();
        assertThat(invalidYaml.path("problems").size()).isPositive();

        // well-formed YAML, invalid definition (a transition to an unknown phase)
        JsonNode invalidDefinition = json(publish(workflowId, SPEC_WORKFLOW
                        .replace("workflow: tdd-default", "workflow: " + workflowId)
                        .replace("version: 1 ", "version: 2 ")
                        .replace("{ from: REVIEW, to: IMPL }", "{ from: REVIEW, to: NOWHERE }"), acme)
                .expectStatus().isEqualTo(422)
                .expectBody(String.class).returnResult());
        assertThat(invalidDefinition.path("code").asString()).isEqualTo("invalid_workflow");

        // a task of a workflow that is not published
        JsonNode unknownWorkflow = json(createTask(Map.of("title", "t", "workflow_id", "no-such-workflow"), acme)
                .expectStatus().isEqualTo(422)
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody(String.class).returnResult());
        assertThat(unknownWorkflow.path("code").asString()).isEqualTo("unknown_workflow");

        // another organisation's workflow is unknown too
        JsonNode foreignWorkflow = json(createTask(Map.of("title", "t", "workflow_id", workflowId),
                TestIdentities.other())
                .expectStatus().isEqualTo(422)
                .expectBody(String.class).returnResult());
        assertThat(foreignWorkflow.path("code").asString()).isEqualTo("unknown_workflow");

        // a version that is not higher than the published one
        JsonNode stale = json(publish(workflowId,
                SPEC_WORKFLOW.replace("workflow: tdd-default", "workflow: " + workflowId), acme)
                .expectStatus().isEqualTo(409)
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody(String.class).returnResult());
        assertThat(stale.path("code").asString()).isEqualTo("workflow_version_not_higher");
        assertThat(stale.path("current_version").asInt()).isEqualTo(1);

        assertThat(eventCount()).isEqualTo(rows);
        assertThat(lastIndex()).isEqualTo(last);
        assertThat(rowsOf("acme/" + workflowId)).hasSize(1);
    }

    @Test
    void requestsWithoutAValidIdentityAreRefusedAndAppendNothing() {
        long rows = eventCount();

        for (String token : new String[]{null, "not-a-token", TestIdentities.forgedAcme()}) {
            WebTestClient.RequestBodySpec request = http.post().uri("/api/v1/tasks")
                    .contentType(MediaType.APPLICATION_JSON);
            if (token != null) {
                request.header(InternalTokens.HEADER, token);
            }
            JsonNode problem = json(request.bodyValue(Map.of("title", "t", "workflow_id", "tdd-default"))
                    .exchange()
                    .expectStatus().isUnauthorized()
                    .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectHeader().valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                    .expectBody(String.class).returnResult());
            assertThat(problem.path("status").asInt()).isEqualTo(401);
            assertThat(problem.path("code").asString()).isEqualTo("unauthenticated");
            assertThat(problem.path("instance").asString()).isEqualTo("/api/v1/tasks");
        }

        http.put().uri("/api/v1/workflows/tdd-unauthenticated")
                .contentType(MediaType.parseMediaType("application/yaml"))
                .bodyValue(SPEC_WORKFLOW.replace("workflow: tdd-default", "workflow: tdd-unauthenticated"))
                .exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);

        assertThat(eventCount()).isEqualTo(rows);
        assertThat(rowsOf("acme/tdd-unauthenticated")).isEmpty();
    }

    @Test
    void aRetryWithTheSameIdempotencyKeyReplaysTheFirstResponseAndWritesNothing() {
        String acme = TestIdentities.acme();
        String workflowId = "idem-" + UUID.randomUUID().toString().substring(0, 8);
        publish(workflowId, SPEC_WORKFLOW.replace("workflow: tdd-default", "workflow: " + workflowId), acme)
                .expectStatus().isCreated();
        Map<String, Object> body = Map.of("title", "Once only", "workflow_id", workflowId);
        String key = "key-" + UUID.randomUUID();
        long rows = eventCount();

        JsonNode first = json(createTaskWithKey(body, acme, key).expectStatus().isCreated()
                .expectBody(String.class).returnResult());
        JsonNode again = json(createTaskWithKey(body, acme, key).expectStatus().isCreated()
                .expectHeader().valueEquals("Idempotent-Replayed", "true")
                .expectHeader().valueEquals(HttpHeaders.LOCATION, "/api/v1/tasks/" + first.path("task_id").asString())
                .expectBody(String.class).returnResult());

        assertThat(again).isEqualTo(first);
        assertThat(eventCount()).isEqualTo(rows + 1);

        // the same key for a different request is refused and writes nothing
        JsonNode reused = json(createTaskWithKey(Map.of("title", "Something else", "workflow_id", workflowId), acme, key)
                .expectStatus().isEqualTo(422).expectBody(String.class).returnResult());
        assertThat(reused.path("code").asString()).isEqualTo("idempotency_key_reused");
        // keys belong to an organisation: another one may use the same key for its own request
        createTaskWithKey(Map.of("title", "Theirs", "workflow_id", "tdd-default"), TestIdentities.other(), key)
                .expectStatus().isEqualTo(422); // (it has no such workflow: the command itself is rejected)
        assertThat(eventCount()).isEqualTo(rows + 1);
    }

    @Test
    void aFailedKeyedCommandCanBeRetriedWithTheSameKey() {
        String acme = TestIdentities.acme();
        String workflowId = "idem-late-" + UUID.randomUUID().toString().substring(0, 8);
        String key = "key-" + UUID.randomUUID();
        Map<String, Object> body = Map.of("title", "Needs its workflow", "workflow_id", workflowId);
        long rows = eventCount();

        createTaskWithKey(body, acme, key).expectStatus().isEqualTo(422);   // workflow not published yet
        assertThat(eventCount()).isEqualTo(rows);

        publish(workflowId, SPEC_WORKFLOW.replace("workflow: tdd-default", "workflow: " + workflowId), acme)
                .expectStatus().isCreated();
        createTaskWithKey(body, acme, key).expectStatus().isCreated()
                .expectHeader().doesNotExist("Idempotent-Replayed");
        assertThat(eventCount()).isEqualTo(rows + 2);
    }

    @Test
    void concurrentRequestsWithOneKeyRunTheCommandOnce() throws Exception {
        String acme = TestIdentities.acme();
        String workflowId = "idem-race-" + UUID.randomUUID().toString().substring(0, 8);
        publish(workflowId, SPEC_WORKFLOW.replace("workflow: tdd-default", "workflow: " + workflowId), acme)
                .expectStatus().isCreated();
        Map<String, Object> body = Map.of("title", "Raced", "workflow_id", workflowId);
        String key = "key-" + UUID.randomUUID();
        long rows = eventCount();

        var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<Integer>> statuses = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                statuses.add(pool.submit(() -> createTaskWithKey(body, acme, key).returnResult(String.class)
                        .getStatus().value()));
            }
            for (var status : statuses) {
                assertThat(status.get()).isIn(201, 409);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(eventCount()).isEqualTo(rows + 1);
        createTaskWithKey(body, acme, key).expectStatus().isCreated()
                .expectHeader().valueEquals("Idempotent-Replayed", "true");
        assertThat(eventCount()).isEqualTo(rows + 1);
    }

    @Autowired
    com.github.kagkarlsson.scheduler.Scheduler scheduler;

    @Test
    void idempotencyRecordsAreForgottenAfterTheRetention() throws Exception {
        jdbc.update("INSERT INTO idempotency_records (org_id, idem_key, fingerprint, state, status, created_at) "
                + "VALUES ('acme', 'ancient', 'f', 'done', 201, ?)",
                java.sql.Timestamp.from(java.time.Instant.now().minus(Duration.ofDays(2))));
        jdbc.update("INSERT INTO idempotency_records (org_id, idem_key, fingerprint, state, status, created_at) "
                + "VALUES ('acme', 'recent', 'f', 'done', 201, ?)", java.sql.Timestamp.from(java.time.Instant.now()));

        scheduler.reschedule(com.github.kagkarlsson.scheduler.task.TaskInstanceId.of("idempotency-record-expiry",
                "recurring"), java.time.Instant.now());

        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (keyCount("ancient") > 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(keyCount("ancient")).isZero();
        assertThat(keyCount("recent")).isEqualTo(1);
    }

    private long keyCount(String key) {
        return jdbc.queryForObject("SELECT COUNT(*) FROM idempotency_records WHERE idem_key = ?", Long.class, key);
    }

    @Test
    void aMalformedIdempotencyKeyIsRefused() {
        long rows = eventCount();
        JsonNode problem = json(createTaskWithKey(Map.of("title", "t", "workflow_id", "tdd-default"),
                TestIdentities.acme(), "x".repeat(129)).expectStatus().isBadRequest()
                .expectBody(String.class).returnResult());
        assertThat(problem.path("code").asString()).isEqualTo("invalid_idempotency_key");
        assertThat(eventCount()).isEqualTo(rows);
    }

    WebTestClient.ResponseSpec createTaskWithKey(Map<String, Object> body, String token, String key) {
        return http.post().uri("/api/v1/tasks")
                .header(InternalTokens.HEADER, token)
                .header("Idempotency-Key", key)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange();
    }

    // ------------------------------------------------------------------------------------------------------------

    WebTestClient.ResponseSpec publish(String workflowId, String yaml, String token) {
        return http.put().uri("/api/v1/workflows/{id}", workflowId)
                .header(InternalTokens.HEADER, token)
                .contentType(MediaType.parseMediaType("application/yaml"))
                .bodyValue(yaml)
                .exchange();
    }

    WebTestClient.ResponseSpec createTask(Map<String, Object> body, String token) {
        return http.post().uri("/api/v1/tasks")
                .header(InternalTokens.HEADER, token)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange();
    }

    List<Map<String, Object>> rowsOf(String aggregateId) {
        return jdbc.queryForList("SELECT global_index, type, sequence_number, payload_type, payload_revision, payload,"
                + " meta_data FROM " + EVENTS + " WHERE aggregate_identifier = ? ORDER BY sequence_number", aggregateId);
    }

    long eventCount() {
        return jdbc.queryForObject("SELECT COUNT(*) FROM " + EVENTS, Long.class);
    }

    Long lastIndex() {
        return jdbc.queryForObject("SELECT MAX(global_index) FROM " + EVENTS, Long.class);
    }

    static JsonNode payload(Map<String, Object> row) {
        return JSON.readTree(new String((byte[]) row.get("payload"), StandardCharsets.UTF_8));
    }

    /** Neither the payload nor the meta data carries the caller's token (or any other JWT) or key material. */
    static void assertNoSecrets(Map<String, Object> row, String token) {
        String payload = new String((byte[]) row.get("payload"), StandardCharsets.UTF_8);
        byte[] metaBytes = (byte[]) row.get("meta_data");
        String metaData = metaBytes == null ? "" : new String(metaBytes, StandardCharsets.UTF_8);
        for (String stored : List.of(payload, metaData)) {
            assertThat(stored).doesNotContain(token)
                    .doesNotContain(token.substring(token.lastIndexOf('.') + 1))
                    .doesNotContain("eyJ")
                    .doesNotContain(InternalTokens.HEADER)
                    .doesNotContainIgnoringCase("\"d\":")
                    .doesNotContainIgnoringCase("password");
        }
        // the meta data is a JSON object (correlation data only)
        if (!metaData.isEmpty()) {
            assertThat(JSON.readTree(metaData).isObject()).isTrue();
        }
    }

    static JsonNode json(EntityExchangeResult<String> result) {
        String body = result.getResponseBody();
        assertThat(body).as("response body of %s", result.getUrl()).isNotNull();
        return JSON.readTree(body);
    }
}
