package io.phasegate.query.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.phasegate.events.resource.ProvisioningSource;
import io.phasegate.events.resource.ResourceImportedEvent;
import io.phasegate.events.resource.ResourceType;
import io.phasegate.platform.identity.InternalTokens;
import io.phasegate.platform.storage.testing.TestStorage;
import io.phasegate.platform.web.testing.OpenApiAssertions;
import io.phasegate.query.provisioning.ResourceProjection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import tools.jackson.databind.JsonNode;

/**
 * The query API's OpenAPI document ({@code /v3/api-docs}) describes every answer: each operation has a 2xx response
 * with a concrete schema (named properties, snake_case; the streams' items) and the problem-details errors; and the
 * answers of {@code GET /api/v1/tasks/{id}} and {@code GET /api/v1/resources/{id}}, read for real from projections
 * fed through the event store, have exactly the documented top-level fields. Embedded H2 (docs/adr/0014-openapi.md).
 */
class H2OpenApiDocumentTest extends QueryStorageTestSupport {

    private static String url;

    @Override
    String databaseUrl() {
        return url;
    }

    @DynamicPropertySource
    static void h2(DynamicPropertyRegistry registry) {
        url = TestStorage.freshH2(registry, "query");
    }

    OpenApiAssertions document;

    @BeforeEach
    void fetchDocument() throws IOException {
        String text = http.get().uri("http://127.0.0.1:" + port + "/v3/api-docs").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target", "openapi-query.json"), text, StandardCharsets.UTF_8);
        document = new OpenApiAssertions(JSON.readTree(text));
    }

    @Test
    void everyOperationDocumentsAConcreteSuccessAndProblemDetails() {
        assertThat(document.operations()).hasSizeGreaterThanOrEqualTo(25);
        document.assertEveryOperationHasAConcreteSuccessSchema();
        document.assertEveryOperationDocumentsProblems();
        assertThat(document.successProperties("get", "/api/v1/audit/verify"))
                .contains("verified", "records", "last_position", "first_broken_position");
        assertThat(document.successProperties("get", "/api/v1/history/events"))
                .contains("position", "event_id", "aggregate_id", "payload");
        assertThat(document.responseCodes("get", "/api/v1/resources/{resourceId}")).contains("200", "404", "4XX",
                "5XX");
    }

    @Test
    void realAnswersHaveExactlyTheDocumentedFields() {
        String org = "oa-" + UUID.randomUUID().toString().substring(0, 8);
        String admin = RoleIdentities.admin(org);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);

        String taskId = "t-" + UUID.randomUUID();
        long created = emit(taskId, new io.phasegate.events.task.TaskCreatedEvent(taskId, org, "p", "Login page",
                "desc", "wf", 1, "PLAN", List.of(), List.of("java"), 3, "alice", now));
        JsonNode task = get("/api/v1/tasks/" + taskId + "?min_position=" + created, admin);
        assertThat(task.path("task_id").asString()).isEqualTo(taskId);
        document.assertAnswerMatches("get", "/api/v1/tasks/{taskId}", "200", task);

        String resourceId = "r-" + UUID.randomUUID();
        long imported = emit("Resource", resourceId, new ResourceImportedEvent(resourceId, org, "dock-1",
                ResourceType.SERVER, "web-1", Map.of("size", "small"), "prov-1", ProvisioningSource.IMPORT, "bob", now));
        awaitCaughtUp(processor(ResourceProjection.GROUP), imported);
        JsonNode resource = get("/api/v1/resources/" + resourceId + "?min_position=" + imported, admin);
        assertThat(resource.path("resource_id").asString()).isEqualTo(resourceId);
        document.assertAnswerMatches("get", "/api/v1/resources/{resourceId}", "200", resource);
    }

    private JsonNode get(String uri, String identity) {
        EntityExchangeResult<String> result = http.get().uri("http://127.0.0.1:" + port + uri)
                .header(InternalTokens.HEADER, identity).exchange().expectBody(String.class).returnResult();
        assertThat(result.getStatus().value()).as(result.getResponseBody()).isEqualTo(200);
        return JSON.readTree(result.getResponseBody());
    }
}
