package io.phasegate.query.integration;

import io.phasegate.platform.identity.InternalTokens;
import io.phasegate.platform.storage.testing.TestStorage;
import io.phasegate.query.task.TaskProjection;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Benchmark (not a test: surefire's default includes skip {@code *Benchmark}) of a projection rebuild, SPEC §6
 * target ≥ 15,000 events/s. Stores {@code bench.events} task events (default 50,000: 5,000 task lifecycles of ten
 * events), lets the {@code tasks} projection process them live, then rebuilds it {@code bench.rounds} times through
 * {@code POST /api/v1/admin/projections/tasks/rebuild}, polling its status until the replay has passed the last
 * event, and prints events/s: for the replay (from the rebuild's answer to the end) and end to end (including the
 * processor's shutdown, which waits up to its one-second event availability timeout, and the reset).
 *
 * <pre>
 * ./mvnw -B -o -q -pl query-service test -Dtest=ProjectionRebuildBenchmark [-Dbench.storage=postgres] [-Dbench.events=50000]
 * </pre>
 * The other projections are stopped while it runs: they would compete for the same cores.
 */
@TestPropertySource(properties = "phasegate.admin.operator-org=acme")
class ProjectionRebuildBenchmark extends QueryStorageTestSupport {

    private static String url;

    @Override
    String databaseUrl() {
        return url;
    }

    @DynamicPropertySource
    static void storage(DynamicPropertyRegistry registry) {
        url = "postgres".equals(System.getProperty("bench.storage", "h2"))
                ? TestStorage.freshPostgres(registry, "query") : TestStorage.freshH2(registry, "query");
    }

    @Test
    void rebuild() {
        int events = Integer.getInteger("bench.events", 50_000);
        int rounds = Integer.getInteger("bench.rounds", 3);
        StreamingEventProcessor tasks = processor(TaskProjection.GROUP);
        for (String group : processing.eventProcessors().keySet()) {
            if (!group.equals(TaskProjection.GROUP)) {
                processor(group).shutDown();
            }
        }
        BenchmarkEvents.appendTaskLifecycles(storageEngine, "rb", events / BenchmarkEvents.EVENTS_PER_TASK,
                List.of("acme"));
        long last = lastIndex();
        long live = System.nanoTime();
        awaitCondition("live catch-up", () -> caughtUp(tasks, last), Duration.ofMinutes(10));
        System.out.printf("live: %d events in %.2f s (%s)%n", last, (System.nanoTime() - live) / 1e9,
                System.getProperty("bench.storage", "h2"));

        List<String> results = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            long cpu = processCpu();
            long start = System.nanoTime();
            JsonNode started = json(http.post().uri("/api/v1/admin/projections/tasks/rebuild")
                    .header(InternalTokens.HEADER, RoleIdentities.admin("acme"))
                    .exchange().expectStatus().isAccepted().expectBody(String.class).returnResult());
            long replayStart = System.nanoTime();
            if (!started.path("replaying").asBoolean()) {
                throw new AssertionError("not replaying: " + started);
            }
            long[] polls = {0};
            awaitCondition("rebuild", () -> {
                polls[0]++;
                JsonNode status = json(http.get().uri("/api/v1/admin/projections/tasks")
                        .header(InternalTokens.HEADER, RoleIdentities.admin("acme"))
                        .exchange().expectStatus().isOk().expectBody(String.class).returnResult());
                return !status.path("replaying").asBoolean() && status.path("position").asLong() >= last;
            }, Duration.ofMinutes(10));
            long end = System.nanoTime();
            double replay = (end - replayStart) / 1e9;
            double total = (end - start) / 1e9;
            String line = String.format("BENCH rebuild round %d: %d events, replay %.2f s = %.0f events/s; end to end"
                            + " %.2f s = %.0f events/s; process CPU %.1f µs/event", round, last, replay, last / replay,
                    total, last / total, (processCpu() - cpu) / 1e3 / last);
            System.out.println(line);
            results.add(line);
        }
        System.out.println(String.join("\n", results));
    }

    private static boolean caughtUp(StreamingEventProcessor processor, long position) {
        return !processor.processingStatus().isEmpty() && processor.processingStatus().values().stream()
                .allMatch(s -> !s.isErrorState() && s.getCurrentPosition().orElse(-1) >= position);
    }

    private static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
