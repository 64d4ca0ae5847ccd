package io.phasegate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * Benchmark (SPEC §6, issue: tool authorisation p99 ≤ 10 ms at 500 requests/s): an open-loop load of
 * {@code POST /api/v1/tools/execute} through the gateway at a fixed rate, latency measured from each request's
 * <em>intended</em> send time (so a stall is not hidden by coordinated omission). Not part of the test suite (its
 * name matches no include pattern); run it with
 *
 * <pre>
 * ./mvnw -B install -DskipTests
 * ./mvnw -B -pl e2e-tests verify -Dit.test=ToolAuthorizationBenchmark -Dbench.mode=embedded \
 *     -Dbench.rate=500 -Dbench.seconds=60 -Dbench.agents=50
 * </pre>
 *
 * It prints the result and writes it to {@code e2e-tests/target/benchmarks/tool-authorization-<mode>.txt}.
 */
class ToolAuthorizationBenchmark {

    private static final int RATE = Integer.getInteger("bench.rate", 500);
    private static final int SECONDS = Integer.getInteger("bench.seconds", 60);
    /** Warm-up before measuring, at half the rate by default: the JIT needs about a minute on 2 cores. */
    private static final int WARMUP_SECONDS = Integer.getInteger("bench.warmup", 60);
    private static final int WARMUP_RATE = Integer.getInteger("bench.warmup-rate", RATE / 2);
    /** Agents, each with its own claimed task; requests go to them in turn (one agent calls tools one at a time). */
    private static final int AGENTS = Integer.getInteger("bench.agents", 50);

    @Test
    void toolAuthorisationLatencyAtAFixedRate() throws Exception {
        PhasegateSystem.Mode mode = PhasegateSystem.Mode.valueOf(
                System.getProperty("bench.mode", "embedded").toUpperCase(Locale.ROOT));
        Http http = new Http();
        try (PhasegateSystem system = PhasegateSystem.start(mode)) {
            String api = system.gatewayUrl() + "/api/v1";
            String workflow = E2eSupport.workflowId("bench");
            Http.Response published = http.put(api + "/workflows/" + workflow).bearer(system.developerToken())
                    .body(E2eSupport.workflowYaml(workflow, 1), E2eSupport.YAML).send();
            assertThat(published.status()).as(published.toString()).isEqualTo(201);
            List<byte[]> bodies = new ArrayList<>();
            for (int i = 0; i < AGENTS; i++) {
                Http.Response created = http.post(api + "/tasks").bearer(system.developerToken())
                        .json(Map.of("title", "benchmark " + i, "workflow_id", workflow)).send();
                assertThat(created.status()).as(created.toString()).isEqualTo(201);
                String taskId = created.json().path("task_id").asString();
                Http.Response claimed = http.post(api + "/tasks/claim").bearer(system.developerToken())
                        .json(Map.of("agent_id", "bench-agent-" + i, "task_id", taskId)).send();
                assertThat(claimed.status()).as(claimed.toString()).isEqualTo(200);
                bodies.add(Http.JSON.writeValueAsBytes(Map.of("phase_token", claimed.json().path("phase_token")
                        .asString(), "tool_name", "read_file", "args", Map.of("path", "src/main/java/App.java"))));
            }

            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            List<HttpRequest> requests = bodies.stream().map(body -> HttpRequest.newBuilder(
                            URI.create(api + "/tools/execute"))
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build()).toList();

            run(client, requests, WARMUP_RATE, WARMUP_SECONDS, new Histogram(TimeUnit.SECONDS.toNanos(30), 3), new AtomicLong());
            Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(30), 3);
            AtomicLong errors = new AtomicLong();
            long started = System.nanoTime();
            long sent = run(client, requests, RATE, SECONDS, histogram, errors);
            double elapsed = (System.nanoTime() - started) / 1e9;

            String report = String.format(Locale.ROOT, """
                            tool authorisation through the gateway (%s mode), %s
                            %d agents, each on its own task; target rate %d/s for %d s after %d s warm-up at %d/s: %d requests in %.1f s (%.0f/s)
                            p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms
                            errors (non-200 or failed): %d
                            """, mode.name().toLowerCase(Locale.ROOT), Instant.now(), AGENTS, RATE, SECONDS, WARMUP_SECONDS, WARMUP_RATE,
                    sent, elapsed, sent / elapsed, ms(histogram.getValueAtPercentile(50)),
                    ms(histogram.getValueAtPercentile(90)), ms(histogram.getValueAtPercentile(99)),
                    ms(histogram.getValueAtPercentile(99.9)), ms(histogram.getMaxValue()), errors.get());
            System.out.println(report);
            Path out = Path.of(System.getProperty("phasegate.root", "."), "e2e-tests", "target", "benchmarks",
                    "tool-authorization-" + mode.name().toLowerCase(Locale.ROOT) + ".txt");
            try {
                Files.createDirectories(out.getParent());
                Files.writeString(out, report, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            assertThat(histogram.getTotalCount()).isPositive();
        }
    }

    /** Sends {@code rate} requests per second for {@code seconds}; records latency from each intended send time. */
    private static long run(HttpClient client, List<HttpRequest> requests, int rate, int seconds, Histogram histogram,
                            AtomicLong errors) {
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        long total = (long) rate * seconds;
        long start = System.nanoTime();
        ConcurrentLinkedQueue<CompletableFuture<?>> inFlight = new ConcurrentLinkedQueue<>();
        for (long i = 0; i < total; i++) {
            long intended = start + i * interval;
            long wait = intended - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            inFlight.add(client.sendAsync(requests.get((int) (i % requests.size())), HttpResponse.BodyHandlers.ofString()).handle((response, error) -> {
                long latency = System.nanoTime() - intended;
                synchronized (histogram) {
                    histogram.recordValue(Math.min(latency, histogram.getHighestTrackableValue()));
                }
                if (error != null || response.statusCode() != 200) {
                    errors.incrementAndGet();
                }
                return null;
            }));
            if (inFlight.size() > 10_000) {
                inFlight.removeIf(CompletableFuture::isDone);
            }
        }
        CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).orTimeout(60, TimeUnit.SECONDS).join();
        return total;
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
