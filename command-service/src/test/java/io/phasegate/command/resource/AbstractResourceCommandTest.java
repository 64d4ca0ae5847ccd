package io.phasegate.command.resource;

import static org.assertj.core.api.Assertions.assertThat;

import io.phasegate.platform.identity.InternalTokens;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The resource command side over real HTTP against a real event store, saga store and db-scheduler, with an in-memory
 * provider behind a {@code memory} dock: the whole life of a resource (provision → update → deprovision, through the
 * provisioning process), retries over durable deadlines, and every status code of the endpoints. Subclasses choose
 * the database.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"axon.update-check.disabled=true", "axoniq.update-checker.disabled=true",
                "phasegate.provisioning.call-timeout=2s", "phasegate.provisioning.max-attempts=3",
                "phasegate.provisioning.initial-backoff=200ms", "phasegate.provisioning.max-backoff=400ms"})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@Import(ResourceTestBeans.class)
abstract class AbstractResourceCommandTest {

    static final String EVENTS = "eventstore.domain_event_entry";
    static final String PREFIX = "io.phasegate.events.resource.";
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String ADMIN = RoleTokens.token("root", "acme", "admin");
    static final String OTHER_ADMIN = RoleTokens.token("eve", "globex", "admin");

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    InMemoryProvider provider;

    @Autowired
    InMemoryDocks docks;

    WebTestClient http;

    @BeforeEach
    void client() {
        http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(30)).build();
    }

    // ------------------------------------------------------------------------------------------------ the flow

    @Test
    void aResourceIsProvisionedUpdatedAndDeprovisionedThroughTheProcess() {
        JsonNode accepted = body(provision(ADMIN, Map.of("dock_id", "dock-1", "type", "server", "name", "web-flow",
                "spec", Map.of("size", "small", "ports", List.of(80, 443))))
                .expectStatus().isAccepted()
                .expectHeader().valueEquals(HttpHeaders.ETAG, "\"1\"")
                .expectBody(String.class).returnResult().getResponseBody());
        String id = accepted.path("resource_id").asString();
        assertThat(id).matches("[0-9a-f-]{36}");
        assertThat(accepted.path("state").asString()).isEqualTo("provisioning");
        assertThat(accepted.path("revision").asLong()).isEqualTo(1);
        String provisionOperation = accepted.path("operation_id").asString();
        assertThat(provisionOperation).isNotBlank();
        assertThat(accepted.path("position").asLong()).isEqualTo(positionOf(id, "ResourceProvisioningRequestedEvent"));

        awaitEvents(id, "ResourceProvisioningRequestedEvent", "ResourceProvisionedEvent");
        JsonNode provisioned = payload(id, "ResourceProvisionedEvent");
        String providerId = provisioned.path("providerResourceId").asString();
        assertThat(provisioned.path("operationId").asString()).isEqualTo(provisionOperation);
        assertThat(provider.resources().get(providerId).name()).isEqualTo("web-flow");
        assertThat(provider.calls()).filteredOn(call -> call.idempotencyKey().equals(provisionOperation)).hasSize(1);
        assertThat(docks.uses()).filteredOn(use -> use.operationId().equals(provisionOperation))
                .containsExactly(new InMemoryDocks.Use("acme", "dock-1", "root", "provision",
                        provisionOperation));

        JsonNode updating = body(update(ADMIN, id, "\"1\"", Map.of("spec", Map.of("size", "large")))
                .expectStatus().isAccepted()
                .expectHeader().valueEquals(HttpHeaders.ETAG, "\"2\"")
                .expectBody(String.class).returnResult().getResponseBody());
        assertThat(updating.path("state").asString()).isEqualTo("updating");
        assertThat(updating.path("revision").asLong()).isEqualTo(2);
        assertThat(updating.path("operation_id").asString()).isNotEqualTo(provisionOperation);
        awaitEvents(id, "ResourceProvisioningRequestedEvent", "ResourceProvisionedEvent",
                "ResourceUpdateRequestedEvent", "ResourceUpdatedEvent");
        assertThat(provider.resources().get(providerId).spec()).isEqualTo(Map.of("size", "large"));

        // the revision it was read at is stale now: a conflict that writes nothing
        long events = eventCount();
        JsonNode stale = body(update(ADMIN, id, "1", Map.of("spec", Map.of("size", "huge")))
                .expectStatus().isEqualTo(409)
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody(String.class).returnResult().getResponseBody());
        assertThat(stale.path("code").asString()).isEqualTo("stale_revision");
        assertThat(stale.path("current_revision").asLong()).isEqualTo(2);
        assertThat(eventCount()).isEqualTo(events);

        JsonNode deprovisioning = body(deprovision(ADMIN, id, "\"2\"")
                .expectStatus().isAccepted()
                .expectBody(String.class).returnResult().getResponseBody());
        assertThat(deprovisioning.path("state").asString()).isEqualTo("deprovisioning");
        assertThat(deprovisioning.path("revision").asLong()).isEqualTo(3);
        awaitEvents(id, "ResourceProvisioningRequestedEvent", "ResourceProvisionedEvent",
                "ResourceUpdateRequestedEvent", "ResourceUpdatedEvent", "ResourceDeprovisioningRequestedEvent",
                "ResourceDeprovisionedEvent");
        assertThat(provider.resources()).doesNotContainKey(providerId);
        // the process ended with the resource
        awaitTrue(() -> jdbc.queryForObject("SELECT COUNT(*) FROM association_value_entry WHERE association_value = ?",
                Long.class, id) == 0);

        // nothing more can happen to it
        JsonNode gone = body(update(ADMIN, id, "3", Map.of("spec", Map.of())).expectStatus().isEqualTo(409)
                .expectBody(String.class).returnResult().getResponseBody());
        assertThat(gone.path("code").asString()).isEqualTo("invalid_state");
        assertNoSecretStored();
    }

    @Test
    void aTransientProviderFailureIsRetriedThroughADurableDeadline() {
        provider.failNext(1, true);
        String id = "retry-" + UUID.randomUUID();
        provision(ADMIN, Map.of("resource_id", id, "dock_id", "dock-1", "type", "database", "name", "db-retry"))
                .expectStatus().isAccepted();
        awaitEvents(id, "ResourceProvisioningRequestedEvent", "ResourceOperationAttemptFailedEvent",
                "ResourceProvisionedEvent");
        JsonNode failure = payload(id, "ResourceOperationAttemptFailedEvent");
        assertThat(failure.path("attempt").asInt()).isEqualTo(1);
        assertThat(failure.path("reason").asString()).startsWith("provider_unavailable:");
        String operation = failure.path("operationId").asString();
        assertThat(provider.calls()).filteredOn(call -> call.idempotencyKey().equals(operation)).hasSize(2);
        assertThat(provider.resources().values()).filteredOn(r -> r.name().equals("db-retry")).hasSize(1);
    }

    @Test
    void aPermanentFailureLeavesTheResourceFailedWhichCanStillBeDeprovisioned() {
        provider.failNext(1, false);
        String id = "fails-" + UUID.randomUUID();
        provision(ADMIN, Map.of("resource_id", id, "dock_id", "dock-1", "type", "domain", "name", "example-org"))
                .expectStatus().isAccepted();
        awaitEvents(id, "ResourceProvisioningRequestedEvent", "ResourceOperationFailedEvent");
        assertThat(payload(id, "ResourceOperationFailedEvent").path("reason").asString())
                .isEqualTo("invalid_spec: the provider refused the spec (injected)");

        JsonNode invalid = body(update(ADMIN, id, "1", Map.of("spec", Map.of())).expectStatus().isEqualTo(409)
                .expectBody(String.class).returnResult().getResponseBody());
        assertThat(invalid.path("code").asString()).isEqualTo("invalid_state");
        assertThat(invalid.path("state").asString()).isEqualTo("failed");

        deprovision(ADMIN, id, null).expectStatus().isAccepted();
        awaitEvents(id, "ResourceProvisioningRequestedEvent", "ResourceOperationFailedEvent",
                "ResourceDeprovisioningRequestedEvent", "ResourceDeprovisionedEvent");
    }

    // -------------------------------------------------------------------------------------------- the endpoints

    @Test
    void anImportedResourceIsCreatedProvisionedAndCanBeUpdatedWithItsETag() {
        String id = "imported-" + UUID.randomUUID();
        JsonNode imported = body(post("/api/v1/resources/import", ADMIN, Map.of("resource_id", id, "dock_id", "dock-1",
                        "type", "web_service", "name", "legacy-site", "spec", Map.of("runtime", "php"),
                        "provider_resource_id", "ext-123", "provisioning_source", "manual"))
                .expectStatus().isCreated()
                .expectHeader().valueEquals(HttpHeaders.LOCATION, "/api/v1/resources/" + id)
                .expectHeader().valueEquals(HttpHeaders.ETAG, "\"1\"")
                .expectBody(String.class).returnResult().getResponseBody());
        assertThat(imported.path("state").asString()).isEqualTo("provisioned");
        assertThat(imported.path("revision").asLong()).isEqualTo(1);
        assertThat(imported.path("provisioning_source").asString()).isEqualTo("manual");
        assertThat(imported.path("position").asLong()).isEqualTo(positionOf(id, "ResourceImportedEvent"));
        assertThat(payload(id, "ResourceImportedEvent").path("source").asString()).isEqualTo("MANUAL");

        JsonNode source = body(post("/api/v1/resources/import", ADMIN, Map.of("dock_id", "dock-1", "type", "server",
                "name", "x", "provider_resource_id", "ext-1", "provisioning_source", "api"))
                .expectStatus().isBadRequest().expectBody(String.class).returnResult().getResponseBody());
        assertThat(problems(source)).containsExactly("provisioning_source");
        JsonNode missing = body(post("/api/v1/resources/import", ADMIN, Map.of("dock_id", "dock-1", "type", "server",
                "name", "x", "provisioning_source", "import"))
                .expectStatus().isBadRequest().expectBody(String.class).returnResult().getResponseBody());
        assertThat(problems(missing)).containsExactly("provider_resource_id");
    }

    @Test
    void onlyProvisioningFullMayChangeResourcesAndRefusalsWriteNothing() {
        String id = importOne();
        long events = eventCount();
        for (String role : List.of("developer", "auditor", "viewer")) {
            String token = RoleTokens.token("someone", "acme", role);
            assertForbidden(provision(token, Map.of("dock_id", "dock-1", "type", "server", "name", "nope")));
            assertForbidden(post("/api/v1/resources/import", token, Map.of("dock_id", "dock-1", "type", "server",
                    "name", "nope", "provider_resource_id", "p", "provisioning_source", "import")));
            assertForbidden(update(token, id, "1", Map.of("spec", Map.of())));
            assertForbidden(deprovision(token, id, null));
        }
        assertThat(eventCount()).isEqualTo(events);
    }

    @Test
    void invalidRequestsAreRefusedFieldByFieldAndWriteNothing() {
        long events = eventCount();
        JsonNode bad = body(provision(ADMIN, Map.of("dock_id", "dock 1", "type", "mainframe", "name", "Not A Slug",
                "spec", List.of(1, 2)))
                .expectStatus().isBadRequest()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody(String.class).returnResult().getResponseBody());
        assertThat(bad.path("code").asString()).isEqualTo("validation_failed");
        assertThat(problems(bad)).containsExactlyInAnyOrder("dock_id", "type", "name", "spec");

        JsonNode missing = body(provision(ADMIN, Map.of()).expectStatus().isBadRequest()
                .expectBody(String.class).returnResult().getResponseBody());
        assertThat(problems(missing)).containsExactlyInAnyOrder("dock_id", "type", "name");

        Map<String, Object> deep = Map.of("leaf", 1);
        for (int i = 1; i < 9; i++) {
            deep = Map.of("level", deep);
        }
        JsonNode tooDeep = body(provision(ADMIN, Map.of("dock_id", "dock-1", "type", "server", "name", "deep",
                "spec", deep)).expectStatus().isBadRequest().expectBody(String.class).returnResult().getResponseBody());
        assertThat(tooDeep.path("problems").get(0).path("message").asString()).contains("8 levels");
        JsonNode tooBig = body(provision(ADMIN, Map.of("dock_id", "dock-1", "type", "server", "name", "big",
                "spec", Map.of("blob", "x".repeat(17_000)))).expectStatus().isBadRequest()
                .expectBody(String.class).returnResult().getResponseBody());
        assertThat(tooBig.path("problems").get(0).path("message").asString()).contains("16384 bytes");

        JsonNode unknownField = body(provision(ADMIN, Map.of("dock_id", "dock-1", "type", "server", "name", "x",
                "colour", "red")).expectStatus().isBadRequest().expectBody(String.class).returnResult()
                .getResponseBody());
        assertThat(unknownField.path("code").asString()).isEqualTo("malformed_request");

        String id = importOne();
        events = eventCount();
        JsonNode noSpec = body(update(ADMIN, id, "1", Map.of()).expectStatus().isBadRequest()
                .expectBody(String.class).returnResult().getResponseBody());
        assertThat(problems(noSpec)).containsExactly("spec");
        JsonNode badTag = body(update(ADMIN, id, "W/\"1\"", Map.of("spec", Map.of())).expectStatus().isBadRequest()
                .expectBody(String.class).returnResult().getResponseBody());
        assertThat(badTag.path("code").asString()).isEqualTo("invalid_if_match");
        assertThat(eventCount()).isEqualTo(events);
    }

    @Test
    void anUpdateWithoutIfMatchIsRefusedWith428() {
        String id = importOne();
        JsonNode problem = body(update(ADMIN, id, null, Map.of("spec", Map.of("a", 1)))
                .expectStatus().isEqualTo(428)
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody(String.class).returnResult().getResponseBody());
        assertThat(problem.path("code").asString()).isEqualTo("precondition_required");
        // a bare revision works as well as the quoted ETag
        update(ADMIN, id, "1", Map.of("spec", Map.of("a", 1))).expectStatus().isAccepted()
                .expectHeader().valueEquals(HttpHeaders.ETAG, "\"2\"");
        // (the provider has no resource by the imported id: the process fails the update for good)
        awaitEvents(id, "ResourceImportedEvent", "ResourceUpdateRequestedEvent", "ResourceOperationFailedEvent");
        assertThat(payload(id, "ResourceOperationFailedEvent").path("reason").asString())
                .isEqualTo("not_found: the resource does not exist at the provider");
    }

    @Test
    void unknownDocksAndAnotherOrganisationsResourcesAreNotFound() {
        long events = eventCount();
        assertNotFound(provision(ADMIN, Map.of("dock_id", "no-such-dock", "type", "server", "name", "x")),
                "dock_not_found");
        assertNotFound(provision(ADMIN, Map.of("dock_id", "dock-g", "type", "server", "name", "x")), "dock_not_found");
        assertNotFound(update(ADMIN, "never-created", "1", Map.of("spec", Map.of())), "resource_not_found");
        assertNotFound(deprovision(ADMIN, "never-created", null), "resource_not_found");
        assertThat(eventCount()).isEqualTo(events);

        String ours = importOne();
        events = eventCount();
        assertNotFound(update(OTHER_ADMIN, ours, "1", Map.of("spec", Map.of())), "resource_not_found");
        assertNotFound(deprovision(OTHER_ADMIN, ours, null), "resource_not_found");
        assertNotFound(provision(OTHER_ADMIN, Map.of("resource_id", ours, "dock_id", "dock-g", "type", "server",
                "name", "x")), "resource_not_found");
        assertNotFound(post("/api/v1/resources/import", OTHER_ADMIN, Map.of("resource_id", ours, "dock_id", "dock-g",
                "type", "server", "name", "x", "provider_resource_id", "p", "provisioning_source", "import")),
                "resource_not_found");
        assertThat(eventCount()).isEqualTo(events);

        // the same organisation reusing an id gets a conflict
        JsonNode exists = body(provision(ADMIN, Map.of("resource_id", ours, "dock_id", "dock-1", "type", "server",
                "name", "x")).expectStatus().isEqualTo(409).expectBody(String.class).returnResult().getResponseBody());
        assertThat(exists.path("code").asString()).isEqualTo("resource_exists");
    }

    @Test
    void aRetryWithTheSameIdempotencyKeyReplaysTheAnswerAndProvisionsOnce() {
        String key = "key-" + UUID.randomUUID();
        Map<String, Object> body = Map.of("dock_id", "dock-1", "type", "server", "name", "idem-once");
        JsonNode first = body(http.post().uri("/api/v1/resources").header(InternalTokens.HEADER, ADMIN)
                .header("Idempotency-Key", key).contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
                .expectStatus().isAccepted().expectBody(String.class).returnResult().getResponseBody());
        JsonNode again = body(http.post().uri("/api/v1/resources").header(InternalTokens.HEADER, ADMIN)
                .header("Idempotency-Key", key).contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
                .expectStatus().isAccepted()
                .expectHeader().valueEquals("Idempotent-Replayed", "true")
                .expectBody(String.class).returnResult().getResponseBody());
        assertThat(again).isEqualTo(first);
        String id = first.path("resource_id").asString();
        awaitEvents(id, "ResourceProvisioningRequestedEvent", "ResourceProvisionedEvent");
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM " + EVENTS + " WHERE payload_type = ? AND "
                + "global_index > ?", Long.class, PREFIX + "ResourceProvisioningRequestedEvent",
                first.path("position").asLong() - 1)).isGreaterThanOrEqualTo(1);
        assertThat(provider.resources().values()).filteredOn(r -> r.name().equals("idem-once")).hasSize(1);
    }

    // ----------------------------------------------------------------------------------------------- helpers

    private String importOne() {
        String id = "imp-" + UUID.randomUUID();
        post("/api/v1/resources/import", ADMIN, Map.of("resource_id", id, "dock_id", "dock-1", "type", "server",
                "name", "imported", "provider_resource_id", "ext-" + id, "provisioning_source", "import"))
                .expectStatus().isCreated();
        return id;
    }

    WebTestClient.ResponseSpec provision(String token, Map<String, ?> body) {
        return post("/api/v1/resources", token, body);
    }

    WebTestClient.ResponseSpec post(String path, String token, Map<String, ?> body) {
        return http.post().uri(path).header(InternalTokens.HEADER, token).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body).exchange();
    }

    WebTestClient.ResponseSpec update(String token, String id, String ifMatch, Map<String, ?> body) {
        WebTestClient.RequestBodySpec request = http.patch().uri("/api/v1/resources/" + id)
                .header(InternalTokens.HEADER, token).contentType(MediaType.APPLICATION_JSON);
        if (ifMatch != null) {
            request.header(HttpHeaders.IF_MATCH, ifMatch);
        }
        return request.bodyValue(body).exchange();
    }

    WebTestClient.ResponseSpec deprovision(String token, String id, String ifMatch) {
        WebTestClient.RequestHeadersSpec<?> request = http.delete().uri("/api/v1/resources/" + id)
                .header(InternalTokens.HEADER, token);
        if (ifMatch != null) {
            request.header(HttpHeaders.IF_MATCH, ifMatch);
        }
        return request.exchange();
    }

    private static void assertForbidden(WebTestClient.ResponseSpec response) {
        JsonNode problem = body(response.expectStatus().isForbidden()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody(String.class).returnResult().getResponseBody());
        assertThat(problem.path("code").asString()).isEqualTo("forbidden");
    }

    private static void assertNotFound(WebTestClient.ResponseSpec response, String code) {
        JsonNode problem = body(response.expectStatus().isNotFound()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody(String.class).returnResult().getResponseBody());
        assertThat(problem.path("code").asString()).isEqualTo(code);
    }

    private static List<String> problems(JsonNode problem) {
        return problem.path("problems").valueStream().map(p -> p.path("field").asString()).toList();
    }

    static JsonNode body(String text) {
        return JSON.readTree(text);
    }

    long eventCount() {
        return jdbc.queryForObject("SELECT COUNT(*) FROM " + EVENTS, Long.class);
    }

    List<String> typesOf(String aggregateId) {
        return jdbc.queryForList("SELECT payload_type FROM " + EVENTS + " WHERE aggregate_identifier = ?"
                + " ORDER BY sequence_number", String.class, aggregateId).stream()
                .map(type -> type.substring(PREFIX.length())).toList();
    }

    long positionOf(String aggregateId, String type) {
        return jdbc.queryForObject("SELECT global_index FROM " + EVENTS + " WHERE aggregate_identifier = ? AND "
                + "payload_type = ?", Long.class, aggregateId, PREFIX + type);
    }

    JsonNode payload(String aggregateId, String type) {
        byte[] payload = jdbc.queryForObject("SELECT payload FROM " + EVENTS + " WHERE aggregate_identifier = ? AND "
                + "payload_type = ?", byte[].class, aggregateId, PREFIX + type);
        return JSON.readTree(payload);
    }

    void awaitEvents(String aggregateId, String... types) {
        awaitTrue(() -> typesOf(aggregateId).size() >= types.length);
        assertThat(typesOf(aggregateId)).containsExactly(types);
    }

    static void awaitTrue(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 30 s");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private void assertNoSecretStored() {
        List<byte[]> payloads = jdbc.queryForList("SELECT payload FROM " + EVENTS, byte[].class);
        assertThat(payloads).allSatisfy(p -> assertThat(new String(p)).doesNotContain(InMemoryDocks.SECRET));
        List<byte[]> sagas = jdbc.queryForList("SELECT serialized_saga FROM saga_entry", byte[].class);
        assertThat(sagas).allSatisfy(p -> assertThat(new String(p)).doesNotContain(InMemoryDocks.SECRET));
    }

}
