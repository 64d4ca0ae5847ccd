package io.phasegate.e2e;

import static io.phasegate.e2e.E2eSupport.shortId;
import static io.phasegate.e2e.E2eSupport.sleep;
import static io.phasegate.e2e.E2eSupport.workflowId;
import static io.phasegate.e2e.E2eSupport.workflowYaml;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Graceful shutdown (issue 7, docs/operations.md "Graceful shutdown"): {@code SIGTERM} to command-service while
 * clients send commands straight to it, each with an {@code Idempotency-Key}. The service stops taking new
 * connections, answers the commands it is running, never answers 5xx, and exits well within the shutdown phase
 * time-out. A request on a kept-alive connection that the server closes as the shutdown begins can be cut after its
 * command ran (Reactor Netty closes idle connections at once); retried with its key after a restart it is answered
 * with its task and never creates a second one. Every stored task belongs to exactly one answered key.
 */
class EmbeddedGracefulShutdownIT {

    private static final String YAML = "application/yaml";
    private static final int CLIENTS = 6;

    private final Http http = new Http();

    record Outcome(int client, String key, long startedMs, long tookMs, int status, String taskId, String failure,
                   boolean connectionClose) {
    }

    @Test
    void sigtermAnswersTheCommandsInFlightAndExits() throws Exception {
        // a short Idempotency-Key lease: a key whose command ran but whose answer was not stored is answered
        // idempotency_key_committed (with the task) once the lease is over
        try (PhasegateSystem system = PhasegateSystem.start(PhasegateSystem.Mode.EMBEDDED,
                Map.of("PHASEGATE_IDEMPOTENCY_LEASE", "3s"))) {
            String workflow = workflowId("graceful");
            Http.Response published = http.put(system.gatewayUrl() + "/api/v1/workflows/" + workflow)
                    .bearer(system.developerToken()).body(workflowYaml(workflow, 1), YAML).send();
            assertThat(published.status()).as(published.toString()).isEqualTo(201);
            String identity = system.mintInternalToken("developer", PhasegateSystem.DEMO_ORG, List.of("developer"));
            String project = "graceful-" + shortId();

            List<Outcome> outcomes = new CopyOnWriteArrayList<>();
            long t0 = System.nanoTime();
            long until = t0 + Duration.ofSeconds(40).toNanos();
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            List<Future<?>> clients = new java.util.ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                clients.add(pool.submit(() -> {
                    int refusedInARow = 0;
                    while (refusedInARow < 3 && System.nanoTime() < until) {
                        Outcome outcome = create(system, identity, workflow, project, client, t0);
                        outcomes.add(outcome);
                        refusedInARow = outcome.status() < 0 ? refusedInARow + 1 : 0;
                    }
                }));
            }
            sleep(2_000);
            long sigterm = (System.nanoTime() - t0) / 1_000_000;
            int exit = system.terminate("command-service", Duration.ofSeconds(30));
            long exited = (System.nanoTime() - t0) / 1_000_000;
            for (Future<?> client : clients) {
                client.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();

            Map<String, Long> answers = outcomes.stream().collect(Collectors.groupingBy(
                    o -> o.status() < 0 ? "no answer" : Integer.toString(o.status()), TreeMap::new,
                    Collectors.counting()));
            System.out.printf("[graceful] SIGTERM at %d ms, exited at %d ms (code %d); answers %s%n", sigterm,
                    exited, exit, answers);
            outcomes.stream().filter(o -> o.status() < 0).limit(3)
                    .forEach(o -> System.out.println("[graceful]   e.g. " + o));

            // the process exited by itself, within the shutdown phase time-out (20 s), not killed
            assertThat(exit).as("exit code (-1: had to be killed)").isNotNegative();
            assertThat(exited - sigterm).as("ms from SIGTERM to exit").isLessThan(20_000);
            assertThat(system.scanLogs("Graceful shutdown complete")).as("graceful shutdown logged").isNotEmpty();
            // commands flowed before the SIGTERM, and the service refused connections afterwards
            List<Outcome> created = outcomes.stream().filter(o -> o.status() == 201).toList();
            assertThat(created.stream().filter(o -> o.startedMs() < sigterm).count()).isGreaterThan(5);
            assertThat(outcomes.stream().filter(o -> o.status() < 0 && o.startedMs() >= sigterm).count()).isPositive();
            // the drain: answers before the SIGTERM keep their connection; during the drain they close it
            assertThat(created.stream().filter(o -> o.startedMs() + o.tookMs() < sigterm))
                    .noneMatch(Outcome::connectionClose);
            List<Outcome> closing = created.stream().filter(Outcome::connectionClose).toList();
            System.out.printf("[graceful] %d answers with Connection: close (the drain), answered %d..%d ms%n",
                    closing.size(), closing.stream().mapToLong(o -> o.startedMs() + o.tookMs()).min().orElse(-1),
                    closing.stream().mapToLong(o -> o.startedMs() + o.tookMs()).max().orElse(-1));
            assertThat(closing).as("answers during the drain").isNotEmpty();
            // every answer is a success or a retryable refusal, never an internal error
            assertThat(outcomes).allSatisfy(o -> assertThat(o.status()).as(o.toString()).isIn(-1, 201, 503));
            // retried with their keys once the service is back, unanswered requests get their task (if their command
            // ran) or run now; no key makes two tasks, and every stored task is some key's answer
            system.restart("command-service"); // already exited: this starts it again
            Map<String, String> taskByKey = new TreeMap<>();
            created.forEach(o -> taskByKey.put(o.key(), o.taskId()));
            int retriedWithTask = 0;
            for (Outcome unanswered : outcomes.stream().filter(o -> o.status() < 0).toList()) {
                Http.Response retry = send(system, identity, workflow, project, unanswered.client(), unanswered.key());
                long retryUntil = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (retry.status() == 409 && "idempotency_key_in_use".equals(retry.json().path("code").asString())
                        && System.nanoTime() < retryUntil) {
                    sleep(500); // committed without a stored answer, within the lease
                    retry = send(system, identity, workflow, project, unanswered.client(), unanswered.key());
                }
                String task;
                if (retry.status() == 201) {
                    task = retry.json().path("task_id").asString();
                    if ("true".equals(retry.header("Idempotent-Replayed"))) {
                        retriedWithTask++;
                    }
                } else {
                    assertThat(retry.status()).as(retry.toString()).isEqualTo(409);
                    assertThat(retry.json().path("code").asString()).as(retry.toString())
                            .isEqualTo("idempotency_key_committed");
                    task = retry.json().path("command_result").asString(null);
                    assertThat(task).as("the task of " + unanswered.key()).isNotBlank();
                    retriedWithTask++;
                }
                if (task != null) {
                    taskByKey.put(unanswered.key(), task);
                }
            }
            System.out.printf("[graceful] %d unanswered requests retried with their keys; %d of them had run%n",
                    outcomes.stream().filter(o -> o.status() < 0).count(), retriedWithTask);
            List<String> stored = system.queryForRows("SELECT aggregate_identifier FROM eventstore.domain_event_entry "
                            + "WHERE payload_type LIKE '%TaskCreatedEvent'").stream()
                    .map(row -> String.valueOf(row.values().iterator().next()))
                    .toList();
            assertThat(stored).as("no task stored twice").doesNotHaveDuplicates();
            assertThat(Set.copyOf(stored)).as("every stored task is the answer to one key")
                    .isEqualTo(Set.copyOf(taskByKey.values()));
            assertThat(taskByKey.values()).as("no two keys answered with one task").doesNotHaveDuplicates();
        }
    }

    private Outcome create(PhasegateSystem system, String identity, String workflow, String project, int client,
                           long t0) {
        String key = "graceful-" + client + "-" + shortId();
        long started = System.nanoTime();
        long startedMs = (started - t0) / 1_000_000;
        try {
            Http.Response r = send(system, identity, workflow, project, client, key);
            return new Outcome(client, key, startedMs, (System.nanoTime() - started) / 1_000_000, r.status(),
                    r.status() == 201 ? r.json().path("task_id").asString() : null,
                    r.status() == 201 ? null : r.body(), "close".equalsIgnoreCase(r.header("Connection")));
        } catch (UncheckedIOException e) {
            return new Outcome(client, key, startedMs, (System.nanoTime() - started) / 1_000_000, -1, null,
                    String.valueOf(e.getCause()), false);
        }
    }

    private Http.Response send(PhasegateSystem system, String identity, String workflow, String project, int client,
                               String key) {
        return http.post(system.commandUrl() + "/api/v1/tasks")
                .header("X-Phasegate-Identity", identity)
                .header("Idempotency-Key", key)
                .json(Map.of("title", "graceful " + client, "workflow_id", workflow, "project_id", project))
                .send();
    }
}
