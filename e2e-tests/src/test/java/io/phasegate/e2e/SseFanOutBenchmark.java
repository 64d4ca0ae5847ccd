package io.phasegate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.phasegate.e2e.SseLatencyBenchmark.SseClient;
import io.phasegate.e2e.SseLatencyBenchmark.StreamRun;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Benchmark (SPEC §6, issue 5: 1,000 concurrent SSE clients per query-service instance): {@code bench.clients}
 * (default 1,000) SSE clients of one organisation on {@code GET /api/v1/streams/tasks} of one query-service, first
 * through the gateway and then directly to query-service with an internal identity token
 * ({@code -Dbench.paths=gateway,direct}), while tasks are created at a modest rate (default 20/s for 60 s). Reports
 * delivery latency percentiles across all clients, whether every client received every event, and query-service's
 * (and the gateway's) heap after a full GC, RSS and CPU time: before the clients connect, once they are connected and
 * after the measured run. The per-organisation stream cap ({@code PHASEGATE_STREAMS_MAX_CONNECTIONS_PER_ORG}, default
 * 100) is raised to {@code clients + 100} so that all clients watch the same organisation and every event goes to all
 * of them (the worst case of fan-out). Not part of the test suite; run it with
 *
 * <pre>
 * ./mvnw -B -o verify -pl e2e-tests -am -Dit.test=SseFanOutBenchmark -Dtest=none \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dbench.mode=embedded -Dbench.clients=1000 -Dbench.rate=20 \
 *     -Dbench.seconds=60
 * </pre>
 *
 * {@code -Dbench.jfr=true} records a JFR profile of query-service and the gateway during each measured run (files in
 * {@code e2e-tests/target/benchmarks/}). The report goes to {@code e2e-tests/target/benchmarks/sse-fan-out-<mode>.txt}.
 */
class SseFanOutBenchmark {

    @Test
    void aThousandConcurrentSseClientsOnOneQueryService() {
        PhasegateSystem.Mode mode = PhasegateSystem.Mode.valueOf(
                System.getProperty("bench.mode", "embedded").toUpperCase(Locale.ROOT));
        StreamRun.Config base = StreamRun.Config.fromProperties(1000, 20, 60, 15);
        List<String> paths = List.of(System.getProperty("bench.paths", "gateway,direct").split(","));
        boolean jfr = Boolean.getBoolean("bench.jfr");
        Map<String, String> env = Map.of("PHASEGATE_STREAMS_MAX_CONNECTIONS_PER_ORG",
                Integer.toString(base.clients() + 100));
        StringBuilder report = new StringBuilder("SSE fan-out (" + mode.name().toLowerCase(Locale.ROOT) + " mode), "
                + Instant.now() + "; PHASEGATE_STREAMS_MAX_CONNECTIONS_PER_ORG=" + env.values().iterator().next()
                + ", services -Xmx384m -XX:+UseSerialGC\n");
        List<StreamRun.Result> results = new ArrayList<>();
        try (PhasegateSystem system = StreamRun.start(mode, env)) {
            Service query = new Service("query-service", system.queryUrl());
            Service gateway = new Service("api-gateway", system.gatewayUrl());
            for (String path : paths) {
                StreamRun.Config config = base.withPath(path.strip());
                awaitNoStreams(query);
                List<String> notes = new ArrayList<>();
                notes.add("memory (heap after a full GC / RSS / live threads; -Xmx384m):");
                notes.add("  before the clients:  " + query.memory() + "; " + gateway.memory());
                Path benchmarks = Path.of(System.getProperty("phasegate.root", "."), "e2e-tests", "target",
                        "benchmarks");
                StreamRun.Result result = new StreamRun(system, config).run(new StreamRun.Observer() {
                    long[] cpu;

                    @Override
                    public void connected(List<SseClient> clients) {
                        notes.add("  clients connected:   " + query.memory() + "; " + gateway.memory()
                                + "; streams open (gauge): " + query.openStreams());
                        cpu = new long[] {query.cpuTicks(), gateway.cpuTicks(), System.nanoTime()};
                        if (jfr) {
                            query.jcmd("JFR.start", "name=bench", "settings=profile",
                                    "filename=" + benchmarks.resolve("sse-fan-out-" + config.path() + "-query.jfr"));
                            gateway.jcmd("JFR.start", "name=bench", "settings=profile",
                                    "filename=" + benchmarks.resolve("sse-fan-out-" + config.path() + "-gateway.jfr"));
                        }
                    }

                    @Override
                    public void measured(List<SseClient> clients) {
                        double seconds = (System.nanoTime() - cpu[2]) / 1e9;
                        notes.add(String.format(Locale.ROOT, "  CPU during warm-up and measured run (%.0f s): "
                                        + "query-service %.1f s (%.0f %% of a core), api-gateway %.1f s (%.0f %%)",
                                seconds, (query.cpuTicks() - cpu[0]) / 100.0,
                                (query.cpuTicks() - cpu[0]) / seconds, (gateway.cpuTicks() - cpu[1]) / 100.0,
                                (gateway.cpuTicks() - cpu[1]) / seconds));
                        if (jfr) {
                            query.jcmd("JFR.stop", "name=bench");
                            gateway.jcmd("JFR.stop", "name=bench");
                        }
                        notes.add("  after the run:       " + query.memory() + "; " + gateway.memory()
                                + "; streams open (gauge): " + query.openStreams());
                    }
                });
                result.notes().addAll(notes);
                results.add(result);
                report.append("\n").append(result.describe());
                StreamRun.write("sse-fan-out-" + mode.name().toLowerCase(Locale.ROOT) + ".txt", report.toString());
            }
        }
        results.forEach(StreamRun.Result::assertComplete);
        assertThat(results).hasSize(paths.size());
    }

    /** Waits until query-service has no stream open (the clients of an earlier run have gone). */
    private static void awaitNoStreams(Service query) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (query.openStreams() > 0 && System.nanoTime() < deadline) {
            E2eSupport.sleep(500);
        }
        assertThat(query.openStreams()).as("streams still open on query-service").isZero();
    }

    /** A service process of the system: its pid (a child of this JVM), jcmd, /proc figures, its Prometheus meters. */
    private static final class Service {
        private final String name;
        private final String url;
        private final ProcessHandle process;
        private final Http http = new Http();

        Service(String name, String url) {
            this.name = name;
            this.url = url;
            this.process = ProcessHandle.current().descendants()
                    .filter(p -> p.info().commandLine().orElse("").contains("/" + name + "-"))
                    .filter(ProcessHandle::isAlive)
                    .findFirst().orElseThrow(() -> new IllegalStateException("No process of " + name));
        }

        /** Heap used after a full GC ({@code jcmd GC.run}, then {@code GC.heap_info}), RSS and threads. */
        String memory() {
            jcmd("GC.run");
            long heapKb = 0;
            for (String line : jcmd("GC.heap_info").lines().toList()) {
                // the generations' lines: "def new generation   total 4800K, used 1234K [...]" (not the spaces')
                String trimmed = line.strip();
                int used = trimmed.indexOf(", used ");
                if (trimmed.contains(" total ") && used > 0 && !trimmed.startsWith("Metaspace")
                        && !trimmed.startsWith("class space")) {
                    String value = trimmed.substring(used + 7).split("[ ,]")[0];
                    heapKb += Long.parseLong(value.replaceAll("\\D", ""));
                }
            }
            return String.format(Locale.ROOT, "%s heap %.1f MB, RSS %.0f MB, %d threads", name, heapKb / 1024.0,
                    status("VmRSS:") / 1024.0, status("Threads:"));
        }

        /** The {@code phasegate_streams_connections} gauge. */
        int openStreams() {
            for (String line : http.get(url + "/actuator/prometheus").send().body().lines().toList()) {
                if (line.startsWith("phasegate_streams_connections")) {
                    return (int) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            throw new IllegalStateException("No phasegate_streams_connections gauge on " + name);
        }

        /** User + system CPU time in clock ticks (1/100 s). */
        long cpuTicks() {
            try {
                String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            } catch (IOException e) {
                return -1;
            }
        }

        private long status(String key) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
                    if (line.startsWith(key)) {
                        return Long.parseLong(line.substring(key.length()).strip().split("\\s+")[0]);
                    }
                }
            } catch (IOException e) {
                // not Linux
            }
            return -1;
        }

        String jcmd(String... command) {
            List<String> args = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd")
                    .toString(), Long.toString(process.pid())));
            args.addAll(List.of(command));
            try {
                Process jcmd = new ProcessBuilder(args).redirectErrorStream(true).start();
                String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!jcmd.waitFor(60, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
                    throw new IllegalStateException("jcmd " + String.join(" ", command) + " failed: " + output);
                }
                return output;
            } catch (IOException e) {
                throw new IllegalStateException("jcmd failed", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
