package io.phasegate.command.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.phasegate.command.idempotency.IdempotencyMark;
import io.phasegate.command.workflow.TestWorkflows;
import io.phasegate.events.task.ClaimTaskCommand;
import io.phasegate.events.task.CreateTaskCommand;
import io.phasegate.events.task.PhaseTokenGrant;
import io.phasegate.events.task.RenewTaskLeaseCommand;
import io.phasegate.events.task.TaskReleasedEvent;
import io.phasegate.platform.identity.InternalTokens;
import io.phasegate.platform.identity.testing.TestIdentities;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reliability of the command side with a real database (docs/reliability.md): a cached Task is never used when the
 * store has a newer event for it (another command-service instance wrote it), and an {@code Idempotency-Key} neither
 * stays blocked after a request that failed nor runs its command twice. Subclasses choose the database.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"axon.update-check.disabled=true", "axoniq.update-checker.disabled=true",
                "phasegate.idempotency.lease=PT2S"})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
abstract class AbstractCommandReliabilityTest {

    static final String EVENTS = "eventstore.domain_event_entry";
    static final JsonMapper JSON = JsonMapper.builder().build();

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    CommandGateway commands;

    @Autowired
    EventStore eventStore;

    @Autowired
    PlatformTransactionManager transactionManager;

    TransactionTemplate transactions;

    static final String WORKFLOW = "reliability";

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeEach
    void workflow() throws Exception {
        transactions = new TransactionTemplate(transactionManager);
        if (eventTypes("acme/" + WORKFLOW).isEmpty()) {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/api/v1/workflows/" + WORKFLOW))
                    .header(InternalTokens.HEADER, TestIdentities.acme())
                    .header("Content-Type", "application/yaml")
                    .PUT(HttpRequest.BodyPublishers.ofString(TestWorkflows.specExample()
                            .replace("workflow: tdd-default", "workflow: " + WORKFLOW)))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(201);
        }
    }

    // ------------------------------------------------------------------------------- the Task cache, two writers

    /**
     * Instance A (this context) claims a task and so caches it; instance B — here a direct append to the shared
     * store, what B's commit leaves there — releases it. A's next command on the task must see the release: before
     * the store check, A decided on its cached "claimed by agent-1" and refused agent-2 ({@code task_not_claimable}).
     */
    @Test
    void aTaskReleasedByAnotherInstanceIsClaimableHere() {
        String taskId = createTask("released elsewhere " + UUID.randomUUID(), null).json.path("task_id").asString();
        PhaseTokenGrant first = commands.sendAndWait(new ClaimTaskCommand(taskId, "acme", "agent-1", List.of(),
                List.of()));
        assertThat(first.generation()).isEqualTo(1);

        appendAsAnotherInstance(taskId, 2, new TaskReleasedEvent(taskId, "acme", "agent-1", Instant.now()));

        PhaseTokenGrant second = commands.sendAndWait(new ClaimTaskCommand(taskId, "acme", "agent-2", List.of(),
                List.of()));
        assertThat(second.generation()).isGreaterThan(first.generation());
        assertThat(eventTypes(taskId)).containsExactly("TaskCreatedEvent", "TaskClaimedEvent", "TaskReleasedEvent",
                "TaskClaimedEvent");

        // and a rejection decided on the fresh state: agent-1 no longer holds the claim (it would have, cached)
        assertThatThrownBy(() -> commands.sendAndWait(new RenewTaskLeaseCommand(taskId, "agent-1",
                first.generation()))).isInstanceOf(CommandExecutionException.class);
        commands.sendAndWait(new RenewTaskLeaseCommand(taskId, "agent-2", second.generation()));
        assertThat(eventTypes(taskId)).endsWith("TaskLeaseRenewedEvent");
    }

    private void appendAsAnotherInstance(String taskId, long sequence, Object event) {
        transactions.executeWithoutResult(status -> eventStore.publish(
                new GenericDomainEventMessage<>("Task", taskId, sequence, event)));
    }

    /**
     * Opt-in ({@code -Dphasegate.measure=true}): the cost of the check — a heartbeat loop on one cached task, and the
     * check's query alone. Run once more with {@code -Dphasegate.tasks.cache-check=false} for the loop without it.
     */
    @Test
    @EnabledIfSystemProperty(named = "phasegate.measure", matches = "true")
    void measureTheCostOfTheStoreCheck() {
        String taskId = createTask("measured " + UUID.randomUUID(), null).json.path("task_id").asString();
        PhaseTokenGrant grant = commands.sendAndWait(new ClaimTaskCommand(taskId, "acme", "agent-m", List.of(),
                List.of()));
        for (int i = 0; i < 300; i++) { // warm-up
            commands.sendAndWait(new RenewTaskLeaseCommand(taskId, "agent-m", grant.generation()));
        }
        int rounds = 1000;
        long start = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            commands.sendAndWait(new RenewTaskLeaseCommand(taskId, "agent-m", grant.generation()));
        }
        double heartbeatMicros = (System.nanoTime() - start) / 1000.0 / rounds;
        for (int i = 0; i < 300; i++) {
            transactions.executeWithoutResult(s -> eventStore.lastSequenceNumberFor(taskId));
        }
        start = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            transactions.executeWithoutResult(s -> eventStore.lastSequenceNumberFor(taskId));
        }
        double checkMicros = (System.nanoTime() - start) / 1000.0 / rounds;
        System.out.printf("MEASURE %s cache-check=%s: heartbeat %.0f µs/command, check query %.0f µs (own tx)%n",
                getClass().getSimpleName(), System.getProperty("phasegate.tasks.cache-check", "true"),
                heartbeatMicros, checkMicros);
    }

    // ---------------------------------------------------------------------------------------- Idempotency-Key

    /**
     * (i) A request that failed without dropping its reservation (the database went away before the delete) leaves a
     * {@code pending} row; a retry within the lease answers 409, after it takes the key over and runs the command once.
     */
    @Test
    void aReservationLeftByAFailedRequestIsTakenOverAfterItsLease() throws Exception {
        String title = "taken over " + UUID.randomUUID();
        String fingerprint = fingerprintOf(title);
        String key = "test-takeover-" + UUID.randomUUID();
        jdbc.update("INSERT INTO idempotency_records (org_id, idem_key, fingerprint, state, created_at, attempt, "
                        + "lease_until) VALUES ('acme', ?, ?, 'pending', ?, 'failed-attempt', ?)", key, fingerprint,
                Timestamp.from(Instant.now()), Timestamp.from(Instant.now().plusSeconds(2)));

        Answer early = createTask(title, key);
        assertThat(early.status).as(early.toString()).isEqualTo(409);
        assertThat(early.json.path("code").asString()).isEqualTo("idempotency_key_in_use");
        assertThat(tasksTitled(title)).isEmpty();

        Thread.sleep(2100);
        Answer retry = createTask(title, key);
        assertThat(retry.status).as(retry.toString()).isEqualTo(201);
        assertThat(tasksTitled(title)).containsExactly(retry.json.path("task_id").asString());

        Answer again = createTask(title, key);
        assertThat(again.status).isEqualTo(201);
        assertThat(again.replayed).isTrue();
        assertThat(again.json.path("task_id").asString()).isEqualTo(retry.json.path("task_id").asString());
        assertThat(tasksTitled(title)).hasSize(1);
    }

    /** Reservations from before the lease existed (no attempt, no lease) are taken over at once. */
    @Test
    void aPendingRowWithoutALeaseIsTakenOver() throws Exception {
        String title = "legacy " + UUID.randomUUID();
        String key = "test-legacy-" + UUID.randomUUID();
        jdbc.update("INSERT INTO idempotency_records (org_id, idem_key, fingerprint, state, created_at) "
                + "VALUES ('acme', ?, ?, 'pending', ?)", key, fingerprintOf(title), Timestamp.from(Instant.now()));
        Answer retry = createTask(title, key);
        assertThat(retry.status).as(retry.toString()).isEqualTo(201);
        assertThat(tasksTitled(title)).hasSize(1);
    }

    /**
     * (ii) The command committed, then storing its response failed (here a constraint the database enforces on the
     * completion, for this key only): the retry does not run the command again, it answers
     * {@code idempotency_key_committed} naming the created task.
     */
    @Test
    void aCommittedCommandWhoseResponseWasLostIsNeverRunAgain() throws Exception {
        String title = "committed " + UUID.randomUUID();
        String key = "test-committed-" + UUID.randomUUID();
        jdbc.execute("ALTER TABLE idempotency_records ADD CONSTRAINT test_no_completion CHECK (state <> 'done' OR "
                + "idem_key <> '" + key + "')");
        Answer failed;
        try {
            failed = createTask(title, key);
        } finally {
            jdbc.execute("ALTER TABLE idempotency_records DROP CONSTRAINT test_no_completion");
        }
        assertThat(failed.status).as(failed.toString()).isGreaterThanOrEqualTo(500);
        List<String> tasks = tasksTitled(title);
        assertThat(tasks).as("the command committed").hasSize(1);
        assertThat(jdbc.queryForMap("SELECT state, result FROM idempotency_records WHERE idem_key = ?", key))
                .containsEntry("state", "committed").containsEntry("result", tasks.get(0));

        Thread.sleep(2100); // past the lease: a committed reservation is never taken over
        for (int i = 0; i < 2; i++) {
            Answer retry = createTask(title, key);
            assertThat(retry.status).as(retry.toString()).isEqualTo(409);
            assertThat(retry.json.path("code").asString()).isEqualTo("idempotency_key_committed");
            assertThat(retry.json.path("command_result").asString()).isEqualTo(tasks.get(0));
        }
        assertThat(tasksTitled(title)).hasSize(1);
    }

    /** (iii) Concurrent requests with one key: one runs, the others wait their turn (409) or replay its answer. */
    @Test
    void concurrentRequestsWithOneKeyRunTheCommandOnce() {
        String title = "concurrent " + UUID.randomUUID();
        String key = "test-concurrent-" + UUID.randomUUID();
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            answers.add(http.sendAsync(createRequest(title, key), HttpResponse.BodyHandlers.ofString()));
        }
        Map<String, Integer> outcomes = new TreeMap<>();
        for (CompletableFuture<HttpResponse<String>> answer : answers) {
            Answer a = new Answer(answer.join());
            outcomes.merge(a.status + (a.status == 201 ? (a.replayed ? " replayed" : "") : " "
                    + a.json.path("code").asString()), 1, Integer::sum);
        }
        assertThat(outcomes.get("201")).as(outcomes.toString()).isEqualTo(1);
        assertThat(outcomes.keySet()).as(outcomes.toString())
                .allMatch(o -> o.equals("201") || o.equals("201 replayed") || o.equals("409 idempotency_key_in_use"));
        assertThat(tasksTitled(title)).hasSize(1);
    }

    /**
     * (iii) The fence: a command whose reservation was taken over (its lease ran out and a retry holds the key now)
     * is rejected in its own transaction and writes nothing; the holder's command commits and marks the row.
     */
    @Test
    void aCommandWhoseReservationWasTakenOverRollsBack() {
        String key = "test-fence-" + UUID.randomUUID();
        jdbc.update("INSERT INTO idempotency_records (org_id, idem_key, fingerprint, state, created_at, attempt, "
                        + "lease_until) VALUES ('acme', ?, 'f', 'pending', ?, 'second', ?)", key,
                Timestamp.from(Instant.now()), Timestamp.from(Instant.now().plusSeconds(60)));
        String lateTask = UUID.randomUUID().toString();
        assertThatThrownBy(() -> commands.sendAndWait(marked(lateTask, new IdempotencyMark("acme", key, "first"))))
                .isInstanceOf(CommandExecutionException.class).hasMessageContaining("Idempotency-Key");
        assertThat(eventTypes(lateTask)).as("rolled back").isEmpty();
        assertThat(jdbc.queryForObject("SELECT state FROM idempotency_records WHERE idem_key = ?", String.class, key))
                .isEqualTo("pending");

        String holderTask = UUID.randomUUID().toString();
        commands.sendAndWait(marked(holderTask, new IdempotencyMark("acme", key, "second")));
        assertThat(eventTypes(holderTask)).containsExactly("TaskCreatedEvent");
        assertThat(jdbc.queryForMap("SELECT state, result FROM idempotency_records WHERE idem_key = ?", key))
                .containsEntry("state", "committed").containsEntry("result", holderTask);
    }

    private static Object marked(String taskId, IdempotencyMark mark) {
        return GenericCommandMessage.asCommandMessage(new CreateTaskCommand(taskId, "acme", "default", "fenced", null,
                WORKFLOW, null, List.of(), List.of(), 0, "alice")).andMetaData(mark.metaData());
    }

    // ------------------------------------------------------------------------------------------------------------

    /** The fingerprint the service stores for a create with this title (read from a first, key-less-equal request). */
    private String fingerprintOf(String title) throws Exception {
        String probe = "test-probe-" + UUID.randomUUID();
        Answer created = createTask(title, probe);
        assertThat(created.status).isEqualTo(201);
        String fingerprint = jdbc.queryForObject("SELECT fingerprint FROM idempotency_records WHERE idem_key = ?",
                String.class, probe);
        // the probe created a task with this title as well: tasksTitled leaves it out
        probeTasks.add(created.json.path("task_id").asString());
        return fingerprint;
    }

    private final List<String> probeTasks = new ArrayList<>();

    private HttpRequest createRequest(String title, String key) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/tasks"))
                .timeout(Duration.ofSeconds(30))
                .header(InternalTokens.HEADER, TestIdentities.acme())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(
                        Map.of("title", title, "workflow_id", WORKFLOW))));
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        return request.build();
    }

    private Answer createTask(String title, String key) {
        try {
            return new Answer(http.send(createRequest(title, key), HttpResponse.BodyHandlers.ofString()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The tasks created with this title (the fingerprint probe's excepted). */
    private List<String> tasksTitled(String title) {
        List<String> ids = new ArrayList<>();
        for (Map<String, Object> row : jdbc.queryForList("SELECT aggregate_identifier, payload FROM " + EVENTS
                + " WHERE payload_type = 'io.phasegate.events.task.TaskCreatedEvent'")) {
            JsonNode payload = JSON.readTree(new String((byte[]) row.get("payload"), java.nio.charset.StandardCharsets.UTF_8));
            String id = (String) row.get("aggregate_identifier");
            if (title.equals(payload.path("title").asString()) && !probeTasks.contains(id)) {
                ids.add(id);
            }
        }
        return ids;
    }

    private List<String> eventTypes(String aggregateId) {
        return jdbc.queryForList("SELECT payload_type FROM " + EVENTS + " WHERE aggregate_identifier = ? "
                        + "ORDER BY sequence_number", String.class, aggregateId).stream()
                .map(type -> type.substring(type.lastIndexOf('.') + 1)).toList();
    }

    /** An HTTP answer. */
    static final class Answer {
        final int status;
        final boolean replayed;
        final JsonNode json;
        final String body;

        Answer(HttpResponse<String> response) {
            this.status = response.statusCode();
            this.replayed = response.headers().firstValue("Idempotent-Replayed").map("true"::equals).orElse(false);
            this.body = response.body();
            this.json = body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }
}
