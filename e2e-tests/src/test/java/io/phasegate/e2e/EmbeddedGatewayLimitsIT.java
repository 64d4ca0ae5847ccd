package io.phasegate.e2e;

import static io.phasegate.e2e.E2eSupport.assertProblem;
import static io.phasegate.e2e.E2eSupport.shortId;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The gateway's edge limits (issue 6): rate limits per organisation and per agent, the request body limit and CORS.
 * Storage does not matter here, so only the embedded mode runs; the limits are set low for the test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbeddedGatewayLimitsIT {

    private static final String UI_ORIGIN = "https://ui.example";

    private final Http http = new Http();
    private PhasegateSystem system;

    @BeforeAll
    void start() {
        system = PhasegateSystem.start(PhasegateSystem.Mode.EMBEDDED, Map.of(
                "PHASEGATE_RATE_LIMIT_ORG", "20",
                "PHASEGATE_RATE_LIMIT_AGENT", "10",
                "PHASEGATE_MAX_BODY_BYTES", "65536",
                "PHASEGATE_CORS_ALLOWED_ORIGINS", UI_ORIGIN));
    }

    @AfterAll
    void stop() {
        if (system != null) {
            system.close();
        }
    }

    @Test
    void oneOrganisationsBurstIsLimitedWhileAnotherIsServed() throws Exception {
        String noisy = system.mintUserToken("noisy", "org-" + shortId(), List.of("viewer"));
        String quiet = system.mintUserToken("quiet", "org-" + shortId(), List.of("viewer"));

        List<Http.Response> burst = parallel(60, () -> http.get(api("/workflows")).bearer(noisy).send());
        List<Http.Response> limited = burst.stream().filter(r -> r.status() == 429).toList();
        assertThat(limited).as("429s in a burst of 60 over a limit of 20/s").isNotEmpty();
        assertThat(burst.stream().filter(r -> r.status() == 200).count()).isGreaterThan(0);
        limited.forEach(r -> assertProblem(r, 429, "rate_limited"));
        assertThat(retryAfter(noisy)).isBetween(1L, 2L);

        Http.Response other = http.get(api("/workflows")).bearer(quiet).send();
        assertThat(other.status()).as(other.toString()).isEqualTo(200);
    }

    @Test
    void agentsAreLimitedPerAgent() throws Exception {
        String busy = system.mintPhaseToken("agent-busy-" + shortId(), "task-x", "PLAN", 1,
                java.time.Instant.now(), java.time.Instant.now().plusSeconds(600));
        String calm = system.mintPhaseToken("agent-calm-" + shortId(), "task-y", "PLAN", 1,
                java.time.Instant.now(), java.time.Instant.now().plusSeconds(600));
        Map<String, Object> busyCall = Map.of("phase_token", busy, "tool_name", "read_file", "args", Map.of());

        List<Http.Response> burst = parallel(40, () -> http.post(api("/tools/execute")).json(busyCall).send());
        assertThat(burst.stream().filter(r -> r.status() == 429).count()).isPositive();
        // the rest reached the service, which refuses the token for a task that does not exist
        assertThat(burst).allSatisfy(r -> assertThat(r.status()).isIn(429, 401, 404));

        Http.Response other = http.post(api("/tools/execute"))
                .json(Map.of("phase_token", calm, "tool_name", "read_file", "args", Map.of())).send();
        assertThat(other.status()).as("another agent has its own bucket: " + other).isNotEqualTo(429);
    }

    @Test
    void oversizedBodiesAreRefusedBeforeReachingAService() {
        long before = system.countEvents();
        String big = "{\"title\":\"" + "x".repeat(70_000) + "\",\"workflow_id\":\"w\"}";
        Http.Response response = http.post(api("/tasks")).bearer(system.developerToken())
                .body(big, "application/json").send();
        assertProblem(response, 413, "payload_too_large");
        assertThat(system.countEvents()).isEqualTo(before);
    }

    @Test
    void corsAllowsTheConfiguredOriginOnly() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> allowed = client.send(preflight(UI_ORIGIN), HttpResponse.BodyHandlers.ofString());
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).contains(UI_ORIGIN);

        HttpResponse<String> refused = client.send(preflight("https://evil.example"),
                HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    private HttpRequest preflight(String origin) {
        return HttpRequest.newBuilder(URI.create(api("/tasks"))).timeout(Duration.ofSeconds(10))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin)
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization,content-type")
                .build();
    }

    /** Retry-After of a request that is over the limit (sends until one is). */
    private long retryAfter(String token) throws Exception {
        for (int i = 0; i < 100; i++) {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    api("/workflows"))).header("Authorization", "Bearer " + token).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 429) {
                return Long.parseLong(response.headers().firstValue("Retry-After").orElseThrow());
            }
        }
        throw new AssertionError("never limited");
    }

    private static List<Http.Response> parallel(int count, Callable<Http.Response> request) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(count);
        try {
            List<Future<Http.Response>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                futures.add(pool.submit(request));
            }
            List<Http.Response> responses = new ArrayList<>();
            for (Future<Http.Response> future : futures) {
                responses.add(future.get());
            }
            return responses;
        } finally {
            pool.shutdownNow();
        }
    }

    private String api(String path) {
        return system.gatewayUrl() + "/api/v1" + path;
    }
}
