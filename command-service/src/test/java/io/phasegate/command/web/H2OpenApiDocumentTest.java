package io.phasegate.command.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.ECKey;
import io.phasegate.platform.identity.CallerIdentity;
import io.phasegate.platform.identity.InternalTokenIssuer;
import io.phasegate.platform.identity.InternalTokens;
import io.phasegate.platform.identity.JwkFiles;
import io.phasegate.platform.identity.testing.TestIdentities;
import io.phasegate.platform.storage.testing.TestStorage;
import io.phasegate.platform.web.testing.OpenApiAssertions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The command API's OpenAPI document ({@code /v3/api-docs}) describes every answer: each operation has a 2xx
 * response with a concrete schema (named properties, snake_case) and the problem-details errors; and, to keep it
 * true, the answers of representative endpoints called for real (register dock, provision resource, publish
 * workflow, create task, claim, heartbeat) have exactly the documented top-level fields: none undocumented, every
 * documented required one present. The service runs on an embedded H2 database (docs/adr/0014-openapi.md).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"axon.update-check.disabled=true", "axoniq.update-checker.disabled=true"})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class H2OpenApiDocumentTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final InternalTokenIssuer ISSUER;

    static {
        String publicName = TestIdentities.PUBLIC_KEYS_FILE.getFileName().toString();
        ECKey key = JwkFiles.loadOrCreateSigningKey(TestIdentities.PUBLIC_KEYS_FILE.resolveSibling(
                publicName.replace(".public.json", ".json")), "internal", false);
        ISSUER = new InternalTokenIssuer(key, Duration.ofMinutes(10), Clock.systemUTC());
    }

    @DynamicPropertySource
    static void h2(DynamicPropertyRegistry registry) {
        TestStorage.freshH2(registry, "command");
        // the local provider's files go to a temporary directory, not ./data of the module
        registry.add("phasegate.adapters.local.directory", () -> System.getProperty("java.io.tmpdir")
                + "/phasegate-openapi-test-" + UUID.randomUUID());
    }

    @LocalServerPort
    int port;

    WebTestClient http;
    OpenApiAssertions document;

    @BeforeEach
    void fetchDocument() throws IOException {
        http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(30)).build();
        String text = http.get().uri("/v3/api-docs").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "openapi-command.json"), text, StandardCharsets.UTF_8);
        document = new OpenApiAssertions(JSON.readTree(text));
    }

    @Test
    void everyOperationDocumentsAConcreteSuccessAndProblemDetails() {
        assertThat(document.operations()).hasSizeGreaterThanOrEqualTo(30);
        document.assertEveryOperationHasAConcreteSuccessSchema();
        document.assertEveryOperationDocumentsProblems();
        // the snake_case wire names, and the specific statuses documented where they are part of the contract
        assertThat(document.successProperties("post", "/api/v1/tasks/claim"))
                .contains("task", "phase_token", "expires_at", "lease_expires_at", "position");
        assertThat(document.responseCodes("patch", "/api/v1/resources/{resourceId}"))
                .contains("202", "404", "409", "428", "4XX", "5XX");
        assertThat(document.responseCodes("post", "/api/v1/tools/execute")).contains("200", "401", "403");
        assertThat(document.headerParameters("post", "/api/v1/tasks")).contains("Idempotency-Key");
    }

    @Test
    void realAnswersHaveExactlyTheDocumentedFields() throws IOException {
        String admin = ISSUER.issue(new CallerIdentity("root", "acme", Set.of("admin")));

        JsonNode dock = call("post", "/api/v1/docks", admin, Map.of("name", "main", "provider", "local",
                "settings", Map.of(), "credentials", Map.of("api_key", "k-" + UUID.randomUUID())), 201);
        String dockId = dock.path("dock_id").asString();

        call("post", "/api/v1/resources", admin, Map.of("dock_id", dockId, "type", "server", "name", "web-1",
                "spec", Map.of("size", "small")), 202);

        String workflow = Files.readString(Path.of("src/test/resources/workflows/tdd-default.yaml"));
        EntityExchangeResult<String> published = http.put().uri("/api/v1/workflows/tdd-default")
                .header(InternalTokens.HEADER, admin).contentType(MediaType.parseMediaType("application/yaml"))
                .bodyValue(workflow).exchange().expectStatus().isCreated().expectBody(String.class).returnResult();
        document.assertAnswerMatches("put", "/api/v1/workflows/{workflowId}", "201",
                JSON.readTree(published.getResponseBody()));

        JsonNode task = call("post", "/api/v1/tasks", admin, Map.of("title", "Login page", "workflow_id",
                "tdd-default"), 201);
        String taskId = task.path("task_id").asString();

        JsonNode claimed = claim(admin, taskId);
        document.assertAnswerMatches("post", "/api/v1/tasks/claim", "200", claimed);
        assertThat(claimed.path("task").path("task_id").asString()).isEqualTo(taskId);
        document.assertNestedAnswerMatches("post", "/api/v1/tasks/claim", "200", "task", claimed.path("task"));

        call("post", "/api/v1/tasks/heartbeat", admin, Map.of("phase_token", claimed.path("phase_token").asString()),
                200);
    }

    /** Calls the endpoint, expects the status, and checks the answer against the documented schema of it. */
    private JsonNode call(String method, String path, String identity, Map<String, ?> body, int status) {
        EntityExchangeResult<String> result = http.method(org.springframework.http.HttpMethod.valueOf(
                        method.toUpperCase(java.util.Locale.ROOT))).uri(path)
                .header(InternalTokens.HEADER, identity).contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                .exchange().expectBody(String.class).returnResult();
        assertThat(result.getStatus().value()).as(result.getResponseBody()).isEqualTo(status);
        JsonNode answer = JSON.readTree(result.getResponseBody());
        document.assertAnswerMatches(method, path, String.valueOf(status), answer);
        return answer;
    }

    /** The claim's lookup reads the task directory, which follows the event just written: retry briefly. */
    private JsonNode claim(String identity, String taskId) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            EntityExchangeResult<String> result = http.post().uri("/api/v1/tasks/claim")
                    .header(InternalTokens.HEADER, identity).contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("agent_id", "agent-1", "capabilities", List.of(), "task_id", taskId))
                    .exchange().expectBody(String.class).returnResult();
            if (result.getStatus().value() == 200 || System.nanoTime() > deadline) {
                assertThat(result.getStatus().value()).as(result.getResponseBody()).isEqualTo(200);
                return JSON.readTree(result.getResponseBody());
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
