package io.phasegate.query.integration;

import io.phasegate.platform.identity.InternalTokens;
import io.phasegate.platform.storage.testing.TestStorage;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Benchmark (not a test: surefire's default includes skip {@code *Benchmark}) of the auditors' history stream,
 * SPEC §6 target ≥ 50,000 events/s. Stores {@code bench.events} events (default 100,000: task lifecycles of ten
 * events) in a fresh event store, then reads the whole history of the organisation over HTTP, as NDJSON and as
 * server-sent events, {@code bench.rounds} times each, and prints events/s. With {@code bench.orgs=2} the events
 * alternate between two organisations, so each request scans every event and delivers half.
 *
 * <pre>
 * ./mvnw -B -o -q -pl query-service test -Dtest=HistoryBenchmark [-Dbench.storage=postgres] [-Dbench.events=100000]
 * </pre>
 * The projections are stopped while it runs: they would compete for the same cores.
 */
class HistoryBenchmark extends QueryStorageTestSupport {

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
    void historyStream() throws Exception {
        int events = Integer.getInteger("bench.events", 100_000);
        int rounds = Integer.getInteger("bench.rounds", 3);
        List<String> orgs = Integer.getInteger("bench.orgs", 1) > 1 ? List.of("acme", "other") : List.of("acme");
        for (String group : processing.eventProcessors().keySet()) {
            processor(group).shutDown();
        }
        long appendStart = System.nanoTime();
        BenchmarkEvents.appendTaskLifecycles(storageEngine, "hb", events / BenchmarkEvents.EVENTS_PER_TASK, orgs);
        System.out.printf("appended %d events in %.1f s (%s, %d organisation(s))%n", lastIndex(),
                (System.nanoTime() - appendStart) / 1e9, System.getProperty("bench.storage", "h2"), orgs.size());
        long expected = lastIndex() / orgs.size();

        HttpClient client = HttpClient.newHttpClient();
        List<String> results = new ArrayList<>();
        for (String format : List.of("application/x-ndjson", "text/event-stream")) {
            for (int round = 1; round <= rounds; round++) {
                HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                                + "/api/v1/history/events"))
                        .header(InternalTokens.HEADER, RoleIdentities.auditor("acme"))
                        .header("Accept", format)
                        .GET().build();
                long start = System.nanoTime();
                HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
                long newlines = 0;
                long bytes = 0;
                try (InputStream body = response.body()) {
                    byte[] buffer = new byte[64 * 1024];
                    int read;
                    while ((read = body.read(buffer)) >= 0) {
                        bytes += read;
                        for (int i = 0; i < read; i++) {
                            if (buffer[i] == '\n') {
                                newlines++;
                            }
                        }
                    }
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                // NDJSON: one line per event; SSE: id, event, data and a blank line per event, plus the end event
                long delivered = format.startsWith("text") ? (newlines - 3) / 4 : newlines;
                if (response.statusCode() != 200 || delivered != expected) {
                    throw new AssertionError("status " + response.statusCode() + ", " + delivered + " events, expected "
                            + expected);
                }
                String line = String.format("BENCH history %s round %d: %d events (%d scanned) in %.2f s = %.0f events/s"
                                + " (%.1f MB/s)", format, round, delivered, lastIndex(), seconds, delivered / seconds,
                        bytes / seconds / 1e6);
                System.out.println(line);
                results.add(line);
            }
        }
        System.out.println(String.join("\n", results));
    }
}
