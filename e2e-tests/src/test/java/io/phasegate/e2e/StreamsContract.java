package io.phasegate.e2e;

import static io.phasegate.e2e.E2eSupport.YAML;
import static io.phasegate.e2e.E2eSupport.assertProblem;
import static io.phasegate.e2e.E2eSupport.await;
import static io.phasegate.e2e.E2eSupport.shortId;
import static io.phasegate.e2e.E2eSupport.workflowId;
import static io.phasegate.e2e.E2eSupport.workflowYaml;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * SSE streams and the audit trail through the gateway (issue 5), with a real SSE client: gapless resume with
 * {@code Last-Event-ID} across a restart of query-service, organisation isolation (also with a forged
 * {@code Last-Event-ID}), heartbeats, and audit verification. Subclasses choose the storage mode; every test works
 * in organisations of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class StreamsContract {

    private final Http http = new Http();
    private final HttpClient sse = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private PhasegateSystem system;

    abstract PhasegateSystem.Mode mode();

    @BeforeAll
    void startSystem() {
        system = PhasegateSystem.start(mode(), Map.of("PHASEGATE_STREAMS_HEARTBEAT_INTERVAL", "1s"));
    }

    @AfterAll
    void stopSystem() {
        if (system != null) {
            system.close();
        }
    }

    @Test
    void aClientResumesWithLastEventIdAcrossAQueryServiceRestartWithoutGapOrDuplicate() throws Exception {
        String org = "org-" + shortId();
        String admin = system.mintUserToken("ada", org, List.of("admin"));
        List<Long> expected = new ArrayList<>(writeEvents(admin, 30));

        // read part of the history from the start of the organisation's stream, then go away
        List<SseStream.Event> first = read(admin, "/streams/audit", "0", 10, Duration.ofSeconds(30));
        assertThat(first).hasSize(10);

        system.restart("query-service");

        // more events while the client is away
        expected.addAll(writeEvents(admin, 5));
        String lastId = first.get(first.size() - 1).id();
        List<SseStream.Event> rest = read(admin, "/streams/audit", lastId, expected.size() - first.size(),
                Duration.ofSeconds(60));

        List<Long> received = new ArrayList<>();
        first.forEach(e -> received.add(Long.parseLong(e.id())));
        rest.forEach(e -> received.add(Long.parseLong(e.id())));
        assertThat(received).as("union of both connections").containsExactlyElementsOf(expected);
        assertThat(rest).allSatisfy(e -> {
            JsonNode record = Http.JSON.readTree(e.data());
            assertThat(record.path("org_id").asString()).isEqualTo(org);
            assertThat(record.path("position").asLong()).isEqualTo(Long.parseLong(e.id()));
            assertThat(e.event()).isEqualTo(record.path("event_type").asString());
        });
    }

    @Test
    void anotherOrganisationsEventsNeverReachAStreamEvenWithAForgedLastEventId() throws Exception {
        String orgA = "org-" + shortId();
        String orgB = "org-" + shortId();
        String adminA = system.mintUserToken("ada", orgA, List.of("admin"));
        String adminB = system.mintUserToken("bob", orgB, List.of("admin"));
        List<Long> eventsA = writeEvents(adminA, 5);
        List<Long> eventsB = writeEvents(adminB, 3);

        List<SseStream.Event> fromStart = read(adminB, "/streams/audit", "0", eventsB.size(), Duration.ofSeconds(30));
        assertThat(fromStart).extracting(e -> Long.parseLong(e.id())).containsExactlyElementsOf(eventsB);
        // resuming "after" one of A's positions yields B's later records only
        List<SseStream.Event> forged = read(adminB, "/streams/tasks", Long.toString(eventsA.get(0)), 2, Duration.ofSeconds(30));
        assertThat(forged).allSatisfy(e ->
                assertThat(Http.JSON.readTree(e.data()).path("org_id").asString()).isEqualTo(orgB));
        assertThat(forged).extracting(e -> Long.parseLong(e.id())).doesNotContainAnyElementsOf(eventsA);

        assertProblem(http.get(api("/streams/audit")).bearer(adminB).header("Last-Event-ID", "not-a-number").send(),
                400, null);
        // a developer may watch tasks but not the audit feed
        String developer = system.mintUserToken("dev", orgB, List.of("developer"));
        assertProblem(http.get(api("/streams/audit")).bearer(developer).send(), 403, null);
    }

    @Test
    void heartbeatsKeepAnIdleStreamAlive() throws Exception {
        String org = "org-" + shortId();
        String admin = system.mintUserToken("ada", org, List.of("admin"));
        HttpResponse<InputStream> response = open(admin, "/streams/tasks", null);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            CompletableFuture<String> comment = CompletableFuture.supplyAsync(() -> {
                try {
                    for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                        if (line.startsWith(":")) {
                            return line;
                        }
                    }
                    return null;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            assertThat(comment.get(10, TimeUnit.SECONDS)).as("a heartbeat comment within 10 s").isNotNull();
        }
    }

    @Test
    void theAuditTrailOfAnOrganisationVerifiesAndExports() {
        String org = "org-" + shortId();
        String admin = system.mintUserToken("ada", org, List.of("admin"));
        List<Long> events = writeEvents(admin, 4);
        long last = events.get(events.size() - 1);

        Http.Response verify = awaitVerified(admin, events.size());
        assertThat(verify.json().path("last_position").asLong()).isEqualTo(last);

        Http.Response export = http.get(api("/audit/export?format=ndjson")).bearer(admin).send();
        assertThat(export.status()).as(export.toString()).isEqualTo(200);
        List<Long> exported = export.body().lines().filter(l -> !l.isBlank())
                .map(l -> Http.JSON.readTree(l).path("position").asLong()).toList();
        assertThat(exported).containsExactlyInAnyOrderElementsOf(events);

        String viewer = system.mintUserToken("vic", org, List.of("viewer"));
        assertProblem(http.get(api("/audit/verify")).bearer(viewer).send(), 403, null);
    }

    // ------------------------------------------------------------------------------------------------

    /** Publishes a workflow and creates {@code tasks} tasks in the caller's organisation; answers their positions. */
    private List<Long> writeEvents(String token, int tasks) {
        List<Long> positions = new ArrayList<>();
        String workflow = workflowId("stream");
        Http.Response published = http.put(api("/workflows/" + workflow)).bearer(token)
                .body(workflowYaml(workflow, 1), YAML).send();
        assertThat(published.status()).as(published.toString()).isEqualTo(201);
        positions.add(published.json().path("position").asLong());
        for (int i = 0; i < tasks; i++) {
            Http.Response created = http.post(api("/tasks")).bearer(token)
                    .json(Map.of("title", "stream " + i, "workflow_id", workflow)).send();
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            positions.add(created.json().path("position").asLong());
        }
        return positions;
    }

    private Http.Response awaitVerified(String token, int records) {
        return await(() -> http.get(api("/audit/verify")).bearer(token).send(), response -> response.status() == 200
                && response.json().path("verified").asBoolean() && response.json().path("records").asInt() >= records,
                "a verified audit trail of " + records + " records");
    }

    private HttpResponse<InputStream> open(String token, String path, String lastEventId) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(api(path)))
                .header("Authorization", "Bearer " + token)
                .header("Accept", "text/event-stream")
                .GET();
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        try {
            return sse.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Reads {@code count} events (comments skipped) and closes the connection. */
    private List<SseStream.Event> read(String token, String path, String lastEventId, int count, Duration timeout)
            throws InterruptedException {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", "Bearer " + token);
        if (lastEventId != null) {
            headers.put("Last-Event-ID", lastEventId);
        }
        try (SseStream stream = SseStream.open(api(path), headers)) {
            assertThat(stream.status()).as("SSE " + path).isEqualTo(200);
            List<SseStream.Event> received = stream.take(count, timeout);
            Set<String> ids = new LinkedHashSet<>();
            received.forEach(e -> assertThat(ids.add(e.id())).as("duplicate id " + e.id()).isTrue());
            return received;
        }
    }

    private String api(String path) {
        return system.gatewayUrl() + "/api/v1" + path;
    }
}
