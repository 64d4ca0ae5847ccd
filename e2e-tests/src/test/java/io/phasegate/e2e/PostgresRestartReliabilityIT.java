package io.phasegate.e2e;

import static io.phasegate.e2e.E2eSupport.YAML;
import static io.phasegate.e2e.E2eSupport.shortId;
import static io.phasegate.e2e.E2eSupport.sleep;
import static io.phasegate.e2e.E2eSupport.workflowId;
import static io.phasegate.e2e.E2eSupport.workflowYaml;
import static org.assertj.core.api.Assertions.assertThat;

import io.phasegate.testsupport.PostgresServer;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
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
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * SPEC §7: "no acknowledged command is lost when ... the database restarts; unacknowledged ones are all-or-nothing".
 * The whole system runs on a PostgreSQL server of its own; a few clients create and claim tasks through the gateway
 * for {@value #LOAD_SECONDS} s, and in the middle the postmaster is stopped for real ({@code pg_ctl stop -m immediate},
 * a crash-like stop) for {@value #OUTAGE_SECONDS} s and started again on the same port and data directory. See
 * docs/reliability.md for what it checks and what clients saw. Part of the default run (about 45 s); skipped where
 * no restartable PostgreSQL server can be made (the Debian server binaries, which {@code .ci/run} installs).
 */
class PostgresRestartReliabilityIT {

    static final int LOAD_SECONDS = 20;
    static final int OUTAGE_AT_SECONDS = 6;
    static final int OUTAGE_SECONDS = 4;
    static final int CLIENTS = 4;
    /** Pause between one client's iterations: bounds the load (~4 x 2 commands every ~40 ms at most). */
    static final long PACE_MILLIS = 25;
    static final Duration RECOVERY_BOUND = Duration.ofSeconds(90);

    /** One request as a client saw it. */
    record Outcome(String kind, String key, long startedMs, long tookMs, int status, String code, long position,
                   String taskId, String error) {

        boolean acknowledged() {
            return status / 100 == 2 && position > 0;
        }
    }

    private final Http http = new Http();
    private final List<Outcome> outcomes = new CopyOnWriteArrayList<>();
    private final List<String> readinessTimeline = new CopyOnWriteArrayList<>();

    @Test
    void acknowledgedCommandsSurviveAPostgresRestartAndTheSystemRecoversByItself() throws Exception {
        PostgresServer postgres = PostgresServer.startWithDurableCommits();
        try (postgres) {
            Assumptions.assumeTrue(postgres.isRestartable(), "needs a PostgreSQL server this test may stop and "
                    + "start (a cluster from the Debian binaries), not " + postgres);
            try (PhasegateSystem system = PhasegateSystem.start(Map.of(
                    "PHASEGATE_RATE_LIMIT_ORG", "100000", "PHASEGATE_RATE_LIMIT_AGENT", "100000"), postgres)) {
                run(system, postgres);
            }
        }
    }

    private void run(PhasegateSystem system, PostgresServer postgres) throws Exception {
        String developer = system.developerToken();
        String workflow = workflowId("restart");
        Http.Response published = http.put(system.gatewayUrl() + "/api/v1/workflows/" + workflow).bearer(developer)
                .body(workflowYaml(workflow, 1), YAML).send();
        assertThat(published.status()).as(published.toString()).isEqualTo(201);

        long t0 = System.nanoTime();
        long loadEnd = t0 + TimeUnit.SECONDS.toNanos(LOAD_SECONDS);
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS + 1);
        List<Future<?>> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            clients.add(pool.submit(() -> client(system, developer, workflow, client, t0, loadEnd)));
        }
        Future<?> monitor = pool.submit(() -> monitorReadiness(system, t0, loadEnd + RECOVERY_BOUND.toNanos()));

        // The outage: a real stop of the postmaster, then a start on the same port and data directory.
        sleep(TimeUnit.SECONDS.toMillis(OUTAGE_AT_SECONDS));
        long stopAt = ms(t0);
        postgres.stopServer(true);
        long stoppedAt = ms(t0);
        sleep(TimeUnit.SECONDS.toMillis(OUTAGE_SECONDS));
        long startAt = ms(t0);
        postgres.startServer();
        long startedAt = ms(t0);
        System.out.printf("[reliability] postgres stop %d..%d ms, start %d..%d ms%n", stopAt, stoppedAt, startAt,
                startedAt);

        for (Future<?> client : clients) {
            client.get(LOAD_SECONDS + 60, TimeUnit.SECONDS);
        }
        // Readiness comes back by itself.
        long readyDeadline = System.nanoTime() + RECOVERY_BOUND.toNanos();
        for (String service : List.of("command-service", "query-service", "api-gateway")) {
            while (system.readinessStatus(service, Duration.ofSeconds(3)) != 200) {
                assertThat(System.nanoTime()).as(service + " ready again within " + RECOVERY_BOUND).isLessThan(
                        readyDeadline);
                sleep(200);
            }
        }
        long allReadyAt = ms(t0);
        monitor.cancel(true);
        pool.shutdownNow();

        report(stopAt, startedAt, allReadyAt);

        // ---- What clients saw: 2xx, or a problem document with a 5xx status; never a hang beyond the time-outs.
        List<Outcome> unexpected = outcomes.stream().filter(o -> !(o.status() / 100 == 2
                || (o.status() / 100 == 5 && o.code() != null))).toList();
        assertThat(unexpected).as("answers other than 2xx or a 5xx problem").isEmpty();
        assertThat(outcomes.stream().mapToLong(Outcome::tookMs).max().orElse(0)).as("slowest answer (ms)")
                .isLessThan(35_000);
        assertThat(outcomes.stream().filter(o -> o.acknowledged() && o.startedMs() > startedAt))
                .as("acknowledged commands after the restart").isNotEmpty();

        // ---- Readiness went DOWN during the outage and UP again, for both services that use the database.
        for (String service : List.of("command-service", "query-service")) {
            assertThat(readinessTimeline).as("readiness of " + service)
                    .anyMatch(line -> line.contains(service + " ") && !line.endsWith(" 200"));
        }

        // ---- The event store: every acknowledged command is there; every task aggregate is complete (its creation
        // event first) and gapless — an unacknowledged command left all or nothing.
        ReliabilityEventStore store = ReliabilityEventStore.read(system, "Task");
        store.assertGaplessAndComplete("TaskCreatedEvent");
        for (Outcome o : outcomes) {
            if (o.acknowledged()) {
                String expected = o.kind().equals("create") ? "TaskCreatedEvent" : "TaskClaimedEvent";
                assertThat(store.events(o.taskId())).as("event at the acknowledged position of " + o)
                        .anyMatch(e -> e.globalIndex() == o.position() && e.type().equals(expected));
            }
        }
        // Every stored task belongs to exactly one create request (its title carries the request's key).
        Map<String, String> taskOfKey = tasksByKey(store);
        Set<String> attemptedKeys = outcomes.stream().filter(o -> o.kind().equals("create")).map(Outcome::key)
                .collect(Collectors.toSet());
        assertThat(attemptedKeys).as("keys of the create requests").containsAll(taskOfKey.keySet());
        outcomes.stream().filter(o -> o.kind().equals("create") && o.acknowledged()).forEach(o ->
                assertThat(taskOfKey.get(o.key())).as("task of " + o).isEqualTo(o.taskId()));
        for (String task : store.aggregates().keySet()) {
            assertThat(store.count(task, "TaskCreatedEvent")).as("creations of " + task).isEqualTo(1);
            assertThat(store.count(task, "TaskClaimedEvent")).as("claims of " + task).isLessThanOrEqualTo(1);
        }
        List<Outcome> unacknowledgedCreates = outcomes.stream()
                .filter(o -> o.kind().equals("create") && !o.acknowledged()).toList();
        long writtenAnyway = unacknowledgedCreates.stream().filter(o -> taskOfKey.containsKey(o.key())).count();

        // ---- Unacknowledged creates retried with their Idempotency-Key: the first answer (if it had been written) or
        // a new task (if not) — never a second task for one key.
        Map<String, Integer> retryAnswers = new TreeMap<>();
        for (Outcome failed : unacknowledgedCreates) {
            // a reservation left 'pending' by a request that failed with the database is held until its lease
            // (phasegate.idempotency.lease, 30 s) ends: "retry shortly" — then the retry takes it over
            Http.Response retry = createTask(system, developer, workflow, failed.key());
            long retryUntil = System.nanoTime() + Duration.ofSeconds(45).toNanos();
            while (retry.status() == 409 && "idempotency_key_in_use".equals(retry.json().path("code").asString())
                    && System.nanoTime() < retryUntil) {
                Thread.sleep(1000);
                retry = createTask(system, developer, workflow, failed.key());
            }
            retryAnswers.merge(retry.status() + (retry.status() == 201 ? ""
                    : " " + retry.json().path("code").asString()), 1, Integer::sum);
            if (taskOfKey.containsKey(failed.key())) {
                // the command had committed: never run again — its answer replayed, or (response lost) named
                if (retry.status() == 201) {
                    assertThat(retry.json().path("task_id").asString()).as("retry of " + failed)
                            .isEqualTo(taskOfKey.get(failed.key()));
                } else {
                    E2eSupport.assertProblem(retry, 409, "idempotency_key_committed");
                    assertThat(retry.json().path("command_result").asString()).as("retry of " + failed)
                            .isEqualTo(taskOfKey.get(failed.key()));
                }
            } else {
                // the command had not committed: the retry runs it (once: the checks below find one task per key)
                assertThat(retry.status()).as("retry of " + failed + ": " + retry).isEqualTo(201);
            }
        }
        ReliabilityEventStore afterRetries = ReliabilityEventStore.read(system, "Task");
        afterRetries.assertGaplessAndComplete("TaskCreatedEvent");
        Map<String, String> taskOfKeyAfterRetries = tasksByKey(afterRetries);
        taskOfKey.forEach((key, task) -> assertThat(taskOfKeyAfterRetries.get(key)).as("task of key " + key)
                .isEqualTo(task));
        Set<String> storedTasks = afterRetries.aggregates().keySet();
        store = afterRetries;

        // ---- No processor stays stuck: the query side reaches the last acknowledged position and shows every
        // stored task as the store's events say.
        long lastPosition = system.queryForLong("SELECT MAX(global_index) FROM eventstore.domain_event_entry");
        long catchUpStarted = System.nanoTime();
        Map<String, JsonNode> listed = listTasks(system, workflow, lastPosition);
        long catchUpMs = (System.nanoTime() - catchUpStarted) / 1_000_000;
        assertThat(listed.keySet()).as("tasks on the query side").isEqualTo(storedTasks);
        for (String task : storedTasks) {
            ReliabilityEventStore.FoldedTask folded = store.foldTask(task);
            JsonNode view = listed.get(task);
            String events = store.events(task).stream().map(e -> e.globalIndex() + ":" + e.type()).toList().toString();
            assertThat(view.path("status").asString()).as("status of " + task + " with events " + events
                    + ", view position " + view.path("position").asLong()).isEqualTo(folded.status());
            assertThat(view.path("position").asLong()).as("position of " + task + " with events " + events)
                    .isEqualTo(folded.lastPosition());
            assertThat(view.path("phase").asString()).as("phase of " + task + " with events " + events)
                    .isEqualTo(folded.phase());
        }
        long events = system.countEvents();
        Http.Response verified = E2eSupport.await(() -> http.get(system.gatewayUrl() + "/api/v1/audit/verify")
                .bearer(system.adminToken()).send(), r -> r.status() == 200 && r.json().path("verified").asBoolean()
                && r.json().path("last_position").asLong() >= lastPosition, "a verified audit trail up to "
                + lastPosition);
        System.out.printf("[reliability] query side at position %d after %d ms; audit %s; %d events in the store; "
                        + "%d unacknowledged creates (%d of them written anyway), retried with their key: %s%n",
                lastPosition, catchUpMs, verified.body(), events, unacknowledgedCreates.size(), writtenAnyway,
                retryAnswers);
    }

    // ------------------------------------------------------------------------------------------------
    // Load

    private void client(PhasegateSystem system, String developer, String workflow, int client, long t0, long end) {
        int i = 0;
        while (System.nanoTime() < end) {
            String key = "rel-" + client + "-" + (i++) + "-" + shortId();
            Outcome created = timed("create", key, t0, () -> createTask(system, developer, workflow, key));
            outcomes.add(created);
            if (created.acknowledged()) {
                String agent = "agent-" + key;
                outcomes.add(timed("claim", key, t0, () -> http.post(system.gatewayUrl() + "/api/v1/tasks/claim")
                        .bearer(developer).json(Map.of("agent_id", agent, "capabilities", List.of(),
                                "task_id", created.taskId())).send()));
            }
            sleep(PACE_MILLIS);
        }
    }

    private Http.Response createTask(PhasegateSystem system, String developer, String workflow, String key) {
        return http.post(system.gatewayUrl() + "/api/v1/tasks").bearer(developer).header("Idempotency-Key", key)
                .json(Map.of("title", "reliability " + key, "workflow_id", workflow)).send();
    }

    private static Outcome timed(String kind, String key, long t0, java.util.function.Supplier<Http.Response> call) {
        long started = System.nanoTime();
        try {
            Http.Response r = call.get();
            long took = (System.nanoTime() - started) / 1_000_000;
            String code = null;
            long position = 0;
            String taskId = null;
            if (r.contentType().startsWith("application/problem+json")) {
                code = r.json().path("code").asString(null);
            } else if (r.status() / 100 == 2) {
                JsonNode body = r.json();
                position = body.path("position").asLong();
                taskId = kind.equals("claim") ? body.path("task").path("task_id").asString()
                        : body.path("task_id").asString();
            }
            return new Outcome(kind, key, (started - t0) / 1_000_000, took, r.status(), code, position, taskId,
                    r.status() / 100 == 2 ? null : r.body());
        } catch (UncheckedIOException e) {
            return new Outcome(kind, key, (started - t0) / 1_000_000, (System.nanoTime() - started) / 1_000_000, -1,
                    null, 0, null, e.getMessage());
        }
    }

    private void monitorReadiness(PhasegateSystem system, long t0, long end) {
        Map<String, Integer> last = new LinkedHashMap<>();
        while (System.nanoTime() < end && !Thread.currentThread().isInterrupted()) {
            for (String service : List.of("command-service", "query-service", "api-gateway")) {
                int status = system.readinessStatus(service, Duration.ofSeconds(3));
                if (!Integer.valueOf(status).equals(last.get(service))) {
                    last.put(service, status);
                    readinessTimeline.add(ms(t0) + " ms " + service + " " + status);
                }
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Stored tasks by the key in their title ("reliability KEY"); fails on two tasks with one key. */
    private static Map<String, String> tasksByKey(ReliabilityEventStore store) {
        Map<String, String> byKey = new LinkedHashMap<>();
        store.aggregates().forEach((task, events) -> {
            String title = events.get(0).payload().path("title").asString();
            assertThat(title).as("title of " + task).startsWith("reliability ");
            String previous = byKey.put(title.substring("reliability ".length()), task);
            assertThat(previous).as("another task with the key of " + task + " (" + title + ")").isNull();
        });
        return byKey;
    }

    private Map<String, JsonNode> listTasks(PhasegateSystem system, String workflow, long minPosition) {
        Map<String, JsonNode> tasks = new TreeMap<>();
        String cursor = null;
        long deadline = System.nanoTime() + RECOVERY_BOUND.toNanos();
        do {
            String url = system.gatewayUrl() + "/api/v1/tasks?workflow_id=" + workflow + "&limit=100&min_position="
                    + minPosition + (cursor == null ? "" : "&after=" + cursor);
            Http.Response page = http.get(url).bearer(system.viewerToken()).send();
            if (page.status() == 503 && System.nanoTime() < deadline) {
                sleep(200); // position_not_reached: the projection is still catching up
                continue;
            }
            assertThat(page.status()).as(page.toString()).isEqualTo(200);
            page.json().path("items").forEach(item -> tasks.put(item.path("task_id").asString(), item));
            String next = page.json().path("next_cursor").asString(null);
            assertThat(next).as("the page after cursor " + cursor).isNotEqualTo(cursor);
            cursor = next;
        } while (cursor != null);
        return tasks;
    }

    // ------------------------------------------------------------------------------------------------
    // Report

    private void report(long stopAt, long startedAt, long allReadyAt) {
        System.out.println("[reliability] readiness timeline:");
        readinessTimeline.forEach(line -> System.out.println("[reliability]   " + line));
        Map<String, Long> byAnswer = outcomes.stream().collect(Collectors.groupingBy(
                o -> o.kind() + " " + o.status() + (o.code() == null ? "" : " " + o.code()), TreeMap::new,
                Collectors.counting()));
        System.out.println("[reliability] answers: " + byAnswer);
        List<Outcome> failed = outcomes.stream().filter(o -> o.status() / 100 != 2).toList();
        long firstFail = failed.stream().mapToLong(Outcome::startedMs).min().orElse(-1);
        long lastFail = failed.stream().mapToLong(o -> o.startedMs() + o.tookMs()).max().orElse(-1);
        long firstOkAfter = outcomes.stream().filter(o -> o.acknowledged() && o.startedMs() >= startedAt)
                .mapToLong(o -> o.startedMs() + o.tookMs()).min().orElse(-1);
        List<Long> failedTook = new ArrayList<>(failed.stream().map(Outcome::tookMs).toList());
        Collections.sort(failedTook);
        System.out.printf("[reliability] stop at %d ms, started again at %d ms, all ready at %d ms; failures from "
                        + "%d to %d ms; first acknowledged command after the restart at %d ms; failed answers took "
                        + "%s ms (min..max)%n", stopAt, startedAt, allReadyAt, firstFail, lastFail, firstOkAfter,
                failedTook.isEmpty() ? "-" : failedTook.get(0) + ".." + failedTook.get(failedTook.size() - 1));
        failed.stream().limit(5).forEach(o -> System.out.println("[reliability]   e.g. " + o));
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
