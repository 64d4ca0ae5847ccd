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
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * Benchmark (SPEC §6, issue 5: event → SSE client p99 ≤ 100 ms): {@code bench.clients} SSE clients on
 * {@code GET /api/v1/streams/tasks} of one organisation (through the gateway, or directly to query-service with an
 * internal identity token: {@code -Dbench.path=direct}), while tasks are created through the gateway open loop at a
 * fixed rate. Each {@code POST /api/v1/tasks} answers the event's global {@code position}, which is the SSE event's
 * {@code id:}; for every event and client the benchmark records the time from the command's intended send time and
 * from its HTTP acknowledgement to the event's arrival at the client, and checks that every client received every
 * event exactly once and in order. Not part of the test suite (its name matches no include pattern); run it with
 *
 * <pre>
 * ./mvnw -B -o verify -pl e2e-tests -am -Dit.test=SseLatencyBenchmark -Dtest=none \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dbench.mode=embedded -Dbench.clients=10 -Dbench.rate=50 \
 *     -Dbench.seconds=60
 * </pre>
 *
 * It prints the result and writes it to {@code e2e-tests/target/benchmarks/sse-latency-<mode>-<path>.txt}. The
 * machinery ({@link StreamRun}) is shared with {@link SseFanOutBenchmark}.
 */
class SseLatencyBenchmark {

    @Test
    void eventToSseClientLatencyAtAFixedRate() throws Exception {
        PhasegateSystem.Mode mode = PhasegateSystem.Mode.valueOf(
                System.getProperty("bench.mode", "embedded").toUpperCase(Locale.ROOT));
        StreamRun.Config config = StreamRun.Config.fromProperties(10, 50, 60, 20);
        try (PhasegateSystem system = StreamRun.start(mode, Map.of())) {
            StreamRun.Result result = new StreamRun(system, config).run(null);
            String report = "event -> SSE client latency (" + mode.name().toLowerCase(Locale.ROOT) + " mode), "
                    + Instant.now() + "\n" + result.describe();
            StreamRun.write("sse-latency-" + mode.name().toLowerCase(Locale.ROOT) + "-" + config.path() + ".txt",
                    report);
            result.assertComplete();
        }
    }

    /**
     * One measured run: an organisation with a workflow, {@code clients} SSE connections on its task stream, a warm-up
     * and a measured phase of task creations at {@code rate} per second; then the analysis of what each client got.
     */
    static final class StreamRun {

        /** What to run. {@code path}: {@code gateway} or {@code direct} (query-service with an internal token). */
        record Config(int clients, int rate, int seconds, int warmupSeconds, String path, int clientThreads,
                      int connectWave) {

            static Config fromProperties(int clients, int rate, int seconds, int warmup) {
                return new Config(Integer.getInteger("bench.clients", clients), Integer.getInteger("bench.rate", rate),
                        Integer.getInteger("bench.seconds", seconds), Integer.getInteger("bench.warmup", warmup),
                        System.getProperty("bench.path", "gateway"), Integer.getInteger("bench.client-threads", 4),
                        Integer.getInteger("bench.connect-wave", 50));
            }

            Config withPath(String path) {
                return new Config(clients, rate, seconds, warmupSeconds, path, clientThreads, connectWave);
            }
        }

        private final PhasegateSystem system;
        private final Config config;
        private final Http http = new Http();
        private final String org = "bench-" + E2eSupport.shortId();
        private final String token;

        StreamRun(PhasegateSystem system, Config config) {
            this.system = system;
            this.config = config;
            this.token = system.mintUserToken("bench", org, List.of("admin"));
        }

        /** Hooks of the fan-out benchmark: called when the clients are connected and when the run is over. */
        interface Observer {
            void connected(List<SseClient> clients);

            void measured(List<SseClient> clients);
        }

        Result run(Observer observer) {
            String api = system.gatewayUrl() + "/api/v1";
            String workflow = E2eSupport.workflowId("sse-bench");
            Http.Response published = http.put(api + "/workflows/" + workflow).bearer(token)
                    .body(E2eSupport.workflowYaml(workflow, 1), E2eSupport.YAML).send();
            assertThat(published.status()).as(published.toString()).isEqualTo(201);
            long resumeAfter = published.json().path("position").asLong();

            ExecutorService clientExecutor = Executors.newFixedThreadPool(config.clientThreads(), daemon("sse-client"));
            HttpClient sseHttp = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10)).executor(clientExecutor).build();
            HttpClient commandHttp = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            List<SseClient> clients = new ArrayList<>();
            try {
                long connecting = System.nanoTime();
                for (int i = 0; i < config.clients(); i += config.connectWave()) {
                    List<SseClient> wave = new ArrayList<>();
                    for (int j = i; j < Math.min(config.clients(), i + config.connectWave()); j++) {
                        SseClient client = new SseClient(j);
                        client.connect(sseHttp, streamRequest(resumeAfter));
                        wave.add(client);
                    }
                    for (SseClient client : wave) {
                        client.awaitOpened(Duration.ofSeconds(60));
                    }
                    clients.addAll(wave);
                }
                double connectSeconds = (System.nanoTime() - connecting) / 1e9;

                // a sentinel event every client must receive: from then on every subscription is live
                byte[] body = Http.JSON.writeValueAsBytes(Map.of("title", "sse sentinel", "workflow_id", workflow));
                HttpRequest create = HttpRequest.newBuilder(URI.create(api + "/tasks")).timeout(Duration.ofSeconds(30))
                        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
                Commands commands = new Commands();
                send(commandHttp, create, 1, 1, commands, false);
                awaitDelivery(clients, commands.maxPosition(), Duration.ofSeconds(60));
                if (observer != null) {
                    observer.connected(clients);
                }

                if (config.warmupSeconds() > 0) {
                    send(commandHttp, create, config.rate(), config.warmupSeconds(), commands, false);
                }
                String loadBefore = loadAverage();
                long started = System.nanoTime();
                send(commandHttp, create, config.rate(), config.seconds(), commands, true);
                String loadAfter = loadAverage();
                double elapsed = (System.nanoTime() - started) / 1e9;
                long drainStarted = System.nanoTime();
                boolean drained = awaitDelivery(clients, commands.maxPosition(), Duration.ofSeconds(60));
                double drainSeconds = (System.nanoTime() - drainStarted) / 1e9;
                if (observer != null) {
                    observer.measured(clients);
                }
                Result result = analyse(clients, commands, elapsed, connectSeconds, drained, drainSeconds);
                result.notes().add(0, "machine load average (1/5/15 min) when the measured run started: " + loadBefore
                        + ", when it ended: " + loadAfter + " (" + Runtime.getRuntime().availableProcessors()
                        + " cores; services and load generator on the same machine, JDK "
                        + System.getProperty("java.version") + ")");
                return result;
            } finally {
                clients.forEach(SseClient::cancel);
                clientExecutor.shutdownNow();
            }
        }

        private HttpRequest streamRequest(long resumeAfter) {
            boolean direct = "direct".equals(config.path());
            String base = direct ? system.queryUrl() : system.gatewayUrl();
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/api/v1/streams/tasks"))
                    .header("Accept", "text/event-stream")
                    .header("Last-Event-ID", Long.toString(resumeAfter))
                    .GET();
            if (direct) {
                // what the gateway would send (valid 60 s; it is checked when the stream opens)
                request.header("X-Phasegate-Identity", system.mintInternalToken("bench", org, List.of("admin")));
            } else {
                request.header("Authorization", "Bearer " + token);
            }
            return request.build();
        }

        /** The commands sent: position → {intended send time, acknowledgement time, measured ? 1 : 0}. */
        static final class Commands {
            final ConcurrentHashMap<Long, long[]> byPosition = new ConcurrentHashMap<>();
            final AtomicLong errors = new AtomicLong();
            final AtomicLong sent = new AtomicLong();
            final Histogram commandLatency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);

            long maxPosition() {
                return byPosition.keySet().stream().mapToLong(Long::longValue).max().orElse(-1);
            }
        }

        /** Open loop: {@code rate} task creations per second for {@code seconds}. */
        private static void send(HttpClient client, HttpRequest request, int rate, int seconds, Commands commands,
                                 boolean measured) {
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
                commands.sent.incrementAndGet();
                inFlight.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((response, error) -> {
                    long acknowledged = System.nanoTime();
                    if (error != null || response.statusCode() != 201) {
                        commands.errors.incrementAndGet();
                        return null;
                    }
                    long position = Http.JSON.readTree(response.body()).path("position").asLong(-1);
                    if (position < 0) {
                        commands.errors.incrementAndGet();
                        return null;
                    }
                    commands.byPosition.put(position, new long[] {intended, acknowledged, measured ? 1 : 0});
                    if (measured) {
                        synchronized (commands.commandLatency) {
                            commands.commandLatency.recordValue(Math.min(acknowledged - intended,
                                    commands.commandLatency.getHighestTrackableValue()));
                        }
                    }
                    return null;
                }));
                if (inFlight.size() > 1_000) {
                    inFlight.removeIf(CompletableFuture::isDone);
                }
            }
            CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).orTimeout(60, TimeUnit.SECONDS).join();
        }

        /** Waits until every client has received an event at or beyond {@code position}. */
        private static boolean awaitDelivery(List<SseClient> clients, long position, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                if (clients.stream().allMatch(c -> c.lastId() >= position)) {
                    return true;
                }
                for (SseClient client : clients) {
                    if (client.failure() != null) {
                        throw new AssertionError("SSE client " + client.index + " failed", client.failure());
                    }
                }
                E2eSupport.sleep(20);
            }
            return false;
        }

        private Result analyse(List<SseClient> clients, Commands commands, double elapsed, double connectSeconds,
                               boolean drained, double drainSeconds) {
            Histogram fromAck = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            Histogram fromSend = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            long beforeAck = 0;
            long duplicates = 0;
            long outOfOrder = 0;
            long missing = 0;
            long others = 0;
            int minReceived = Integer.MAX_VALUE;
            int maxReceived = 0;
            int incompleteClients = 0;
            int expected = commands.byPosition.size();
            for (SseClient client : clients) {
                long[][] arrivals = client.snapshot();
                long[] ids = arrivals[0];
                long[] times = arrivals[1];
                Set<Long> seen = new HashSet<>();
                long previous = Long.MIN_VALUE;
                int matched = 0;
                for (int i = 0; i < ids.length; i++) {
                    long id = ids[i];
                    if (!seen.add(id)) {
                        duplicates++;
                        continue;
                    }
                    if (id <= previous) {
                        outOfOrder++;
                    }
                    previous = id;
                    long[] command = commands.byPosition.get(id);
                    if (command == null) {
                        others++;
                        continue;
                    }
                    matched++;
                    if (command[2] == 1) {
                        long sinceAck = times[i] - command[1];
                        if (sinceAck < 0) {
                            beforeAck++;
                        }
                        fromAck.recordValue(Math.min(Math.max(0, sinceAck), fromAck.getHighestTrackableValue()));
                        fromSend.recordValue(Math.min(times[i] - command[0], fromSend.getHighestTrackableValue()));
                    }
                }
                missing += expected - matched;
                if (matched < expected) {
                    incompleteClients++;
                }
                minReceived = Math.min(minReceived, matched);
                maxReceived = Math.max(maxReceived, matched);
            }
            long measured = commands.byPosition.values().stream().filter(c -> c[2] == 1).count();
            return new Result(config, clients.size(), connectSeconds, commands.sent.get(), measured, expected,
                    commands.errors.get(), elapsed, drained, drainSeconds, fromAck, fromSend, beforeAck,
                    commands.commandLatency, duplicates, outOfOrder, missing, others, minReceived, maxReceived,
                    incompleteClients, new ArrayList<>());
        }

        /** The figures of a run. */
        record Result(Config config, int clients, double connectSeconds, long sent, long measuredEvents,
                      int expectedPerClient, long errors, double elapsed, boolean drained, double drainSeconds,
                      Histogram fromAck, Histogram fromSend, long beforeAck, Histogram commandLatency,
                      long duplicates, long outOfOrder, long missing, long others, int minReceived, int maxReceived,
                      int incompleteClients, List<String> notes) {

            String describe() {
                StringBuilder text = new StringBuilder(String.format(Locale.ROOT, """
                                %d SSE clients on /api/v1/streams/tasks via %s (one organisation), connected in %.1f s
                                task creations through the gateway: %d/s for %d s after %d s warm-up; %d sent (%d + sentinel and warm-up), %d measured in %.1f s (%.1f/s), %d errors
                                command acknowledgement (POST /api/v1/tasks, from intended send): p50 %.1f ms, p99 %.1f ms, max %.1f ms
                                event -> client, from the command's acknowledgement (%d deliveries; %d arrived before the acknowledgement, counted as 0):
                                  p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max %.1f ms
                                event -> client, from the command's intended send time:
                                  p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max %.1f ms
                                delivery: %d events expected per client; received min %d / max %d; clients missing events: %d (%d deliveries missing), duplicates %d, out of order %d, other events %d; drained %s in %.1f s
                                """, clients, config.path(), connectSeconds, config.rate(), config.seconds(),
                        config.warmupSeconds(), sent, measuredEvents, measuredEvents, elapsed,
                        measuredEvents / elapsed, errors, ms(commandLatency.getValueAtPercentile(50)),
                        ms(commandLatency.getValueAtPercentile(99)), ms(commandLatency.getMaxValue()),
                        fromAck.getTotalCount(), beforeAck,
                        ms(fromAck.getValueAtPercentile(50)), ms(fromAck.getValueAtPercentile(90)),
                        ms(fromAck.getValueAtPercentile(99)), ms(fromAck.getValueAtPercentile(99.9)),
                        ms(fromAck.getMaxValue()), ms(fromSend.getValueAtPercentile(50)),
                        ms(fromSend.getValueAtPercentile(90)), ms(fromSend.getValueAtPercentile(99)),
                        ms(fromSend.getValueAtPercentile(99.9)), ms(fromSend.getMaxValue()), expectedPerClient,
                        minReceived, maxReceived, incompleteClients, missing, duplicates, outOfOrder, others,
                        drained ? "yes" : "NO", drainSeconds));
                notes.forEach(note -> text.append(note).append('\n'));
                return text.toString();
            }

            void assertComplete() {
                assertThat(errors).as("failed commands").isZero();
                assertThat(measuredEvents).as("measured events").isPositive();
                assertThat(missing).as("deliveries missing").isZero();
                assertThat(duplicates).as("duplicate deliveries").isZero();
                assertThat(outOfOrder).as("deliveries out of order").isZero();
                assertThat(fromAck.getTotalCount()).isEqualTo(measuredEvents * clients);
            }
        }

        static void write(String name, String report) {
            System.out.println(report);
            Path out = Path.of(System.getProperty("phasegate.root", "."), "e2e-tests", "target", "benchmarks", name);
            try {
                Files.createDirectories(out.getParent());
                Files.writeString(out, report, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /**
         * Starts the system, trying again (up to {@code bench.start-attempts}, default 3) when a service is not ready
         * within the harness's 120 s: on a shared, overloaded machine the start-up alone can take that long.
         */
        static PhasegateSystem start(PhasegateSystem.Mode mode, Map<String, String> env) {
            int attempts = Integer.getInteger("bench.start-attempts", 3);
            for (int attempt = 1; ; attempt++) {
                try {
                    return PhasegateSystem.start(mode, env);
                } catch (IllegalStateException e) {
                    if (attempt >= attempts) {
                        throw e;
                    }
                    System.out.println("[bench] start-up attempt " + attempt + " failed (load average "
                            + loadAverage() + "): " + e.getMessage().lines().findFirst().orElse(""));
                }
            }
        }

        static String loadAverage() {
            try {
                String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
                return fields[0] + " " + fields[1] + " " + fields[2];
            } catch (IOException | RuntimeException e) {
                return "unknown";
            }
        }

        static double ms(long nanos) {
            return nanos / 1e6;
        }

        private static java.util.concurrent.ThreadFactory daemon(String name) {
            AtomicInteger counter = new AtomicInteger();
            return r -> {
                Thread t = new Thread(r, name + "-" + counter.incrementAndGet());
                t.setDaemon(true);
                return t;
            };
        }
    }

    /**
     * One SSE connection, read line by line as the bytes arrive (JDK HttpClient, non-blocking): records each event's
     * id with its arrival time ({@link System#nanoTime()} when the event's closing blank line is read).
     */
    static final class SseClient implements Flow.Subscriber<String> {
        final int index;
        private final CompletableFuture<Void> opened = new CompletableFuture<>();
        private volatile Flow.Subscription subscription;
        private volatile Throwable failure;
        private volatile long lastId = -1;
        private long pendingId = -1;
        private long[] ids = new long[256];
        private long[] times = new long[256];
        private int count;

        SseClient(int index) {
            this.index = index;
        }

        void connect(HttpClient client, HttpRequest request) {
            client.sendAsync(request, HttpResponse.BodyHandlers.fromLineSubscriber(this)).whenComplete((response, e) -> {
                if (e != null) {
                    fail(e);
                } else if (response.statusCode() != 200) {
                    fail(new IllegalStateException("SSE client " + index + ": HTTP " + response.statusCode()));
                }
            });
        }

        void awaitOpened(Duration timeout) {
            try {
                opened.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                throw new AssertionError("SSE client " + index + " did not open its stream in " + timeout
                        + (failure != null ? ": " + failure : ""), e);
            }
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String line) {
            if (line.isEmpty()) {
                if (pendingId >= 0) {
                    add(pendingId, System.nanoTime());
                    pendingId = -1;
                }
            } else if (line.startsWith("id:")) {
                pendingId = Long.parseLong(line.substring(3).strip());
            } else if (line.startsWith(":") && !opened.isDone()) {
                opened.complete(null);
            }
        }

        @Override
        public void onError(Throwable throwable) {
            fail(throwable);
        }

        @Override
        public void onComplete() {
            fail(new IllegalStateException("SSE client " + index + ": the stream ended"));
        }

        private void fail(Throwable e) {
            if (failure == null) {
                failure = e;
            }
            opened.completeExceptionally(e);
        }

        Throwable failure() {
            return failure;
        }

        private synchronized void add(long id, long time) {
            if (count == ids.length) {
                ids = Arrays.copyOf(ids, count * 2);
                times = Arrays.copyOf(times, count * 2);
            }
            ids[count] = id;
            times[count] = time;
            count++;
            lastId = id;
        }

        long lastId() {
            return lastId;
        }

        synchronized long[][] snapshot() {
            return new long[][] {Arrays.copyOf(ids, count), Arrays.copyOf(times, count)};
        }

        synchronized int received() {
            return count;
        }

        void cancel() {
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
            failure = failure == null ? new IllegalStateException("cancelled") : failure;
        }
    }
}
