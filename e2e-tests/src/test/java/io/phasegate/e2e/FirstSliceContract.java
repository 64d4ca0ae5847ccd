package io.phasegate.e2e;

import static io.phasegate.e2e.E2eSupport.YAML;
import static io.phasegate.e2e.E2eSupport.assertProblem;
import static io.phasegate.e2e.E2eSupport.assertSnakeCaseKeys;
import static io.phasegate.e2e.E2eSupport.shortId;
import static io.phasegate.e2e.E2eSupport.sleep;
import static io.phasegate.e2e.E2eSupport.texts;
import static io.phasegate.e2e.E2eSupport.withAlteredSignature;
import static io.phasegate.e2e.E2eSupport.workflowId;
import static io.phasegate.e2e.E2eSupport.workflowYaml;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * The first vertical slice (workflows and tasks) end to end: three real service processes, a real database, real
 * HTTP through the gateway. Subclasses choose the storage mode; every test uses its own workflow ids, so tests are
 * independent of each other and of their order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class FirstSliceContract {

    private final Http http = new Http();
    private PhasegateSystem system;

    /** The storage mode the system runs in. */
    abstract PhasegateSystem.Mode mode();

    @BeforeAll
    void startSystem() {
        system = PhasegateSystem.start(mode());
    }

    @AfterAll
    void stopSystem() {
        if (system != null) {
            system.close();
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Authentication at the gateway

    @Test
    void requestsWithoutAValidBearerTokenAreUnauthenticated() {
        Http.Response noToken = http.get(api("/tasks")).send();
        assertProblem(noToken, 401, "unauthenticated");
        assertProblem(http.post(api("/tasks")).json(Map.of("title", "x", "workflow_id", "y")).send(),
                401, "unauthenticated");

        assertProblem(http.get(api("/tasks")).bearer("not-a-jwt").send(), 401, "unauthenticated");
        assertProblem(http.get(api("/tasks")).bearer("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.").send(),
                401, "unauthenticated");

        String valid = system.developerToken();
        assertThat(http.get(api("/tasks")).bearer(valid).send().status()).isEqualTo(200);

        assertProblem(http.get(api("/tasks")).bearer(withAlteredSignature(valid)).send(), 401, "unauthenticated");
        assertProblem(http.get(api("/tasks")).bearer(withAlteredPayload(valid)).send(), 401, "unauthenticated");
    }

    @Test
    void servicesRefuseCallsThatBypassTheGateway() {
        String token = system.developerToken();
        Map<String, Object> task = Map.of("title", "direct", "workflow_id", "whatever");
        long before = system.countEvents();

        assertProblem(http.post(system.commandUrl() + "/api/v1/tasks").bearer(token).json(task).send(),
                401, "unauthenticated");
        assertProblem(http.get(system.queryUrl() + "/api/v1/tasks").bearer(token).send(), 401, "unauthenticated");
        // A user token is not an internal identity token, wherever it is put.
        assertProblem(http.post(system.commandUrl() + "/api/v1/tasks").header("X-Phasegate-Identity", token)
                .json(task).send(), 401, "unauthenticated");
        assertProblem(http.get(system.queryUrl() + "/api/v1/tasks").header("X-Phasegate-Identity", token).send(),
                401, "unauthenticated");

        assertNoNewEvents(before);
    }

    @Test
    void theGatewayNeverTrustsAnIdentityHeaderFromTheClient() {
        // Signed with the gateway's own internal key: the services would accept it directly...
        String forged = system.mintInternalToken("mallory", PhasegateSystem.DEMO_ORG, List.of("admin"));
        assertThat(http.get(system.queryUrl() + "/api/v1/tasks").header("X-Phasegate-Identity", forged).send()
                .status()).as("the forged internal token is valid for the services").isEqualTo(200);

        // ...but the gateway still demands a bearer token,
        assertProblem(http.get(api("/tasks")).header("X-Phasegate-Identity", forged).send(), 401, "unauthenticated");
        assertProblem(http.put(api("/workflows/" + workflowId("forged")))
                .header("X-Phasegate-Identity", forged).body(workflowYaml(workflowId("forged"), 1), YAML).send(),
                401, "unauthenticated");

        // and replaces the header with the bearer's identity: a viewer stays a viewer.
        String id = workflowId("forged");
        long before = system.countEvents();
        assertProblem(http.put(api("/workflows/" + id)).bearer(system.viewerToken())
                .header("X-Phasegate-Identity", forged).body(workflowYaml(id, 1), YAML).send(), 403, "forbidden");
        assertNoNewEvents(before);
    }

    // ------------------------------------------------------------------------------------------------
    // Workflows

    @Test
    void aDeveloperPublishesAWorkflowAndReadsItBack() {
        String id = workflowId("publish");
        Http.Response published = http.put(api("/workflows/" + id)).bearer(system.developerToken())
                .body(workflowYaml(id, 1), YAML).send();
        assertThat(published.status()).as(published.toString()).isEqualTo(201);
        JsonNode body = published.json();
        assertThat(body.path("workflow_id").asString()).isEqualTo(id);
        assertThat(body.path("version").asInt()).isEqualTo(1);
        long position = body.path("position").asLong();
        assertThat(position).isPositive();

        Http.Response read = http.get(api("/workflows/" + id + "?min_position=" + position))
                .bearer(system.developerToken()).send();
        assertThat(read.status()).as(read.toString()).isEqualTo(200);
        JsonNode view = read.json();
        assertSnakeCaseKeys(view, false);
        assertThat(view.path("workflow_id").asString()).isEqualTo(id);
        assertThat(view.path("version").asInt()).isEqualTo(1);
        assertThat(view.path("enforcement").asString()).isEqualToIgnoringCase("strict");
        JsonNode definition = view.path("definition");
        assertThat(definition.path("token_ttl_seconds").asLong()).isEqualTo(7200);
        assertThat(definition.path("claim_lease_seconds").asLong()).isEqualTo(900);
        assertThat(texts(definition.path("phases"), "id")).containsExactly("PLAN", "TDD", "IMPL", "REVIEW", "COMPLETE");
        assertThat(definition.path("transitions").size()).isEqualTo(5);
        assertThat(view.path("position").asLong()).isEqualTo(position);

        long before = system.countEvents();
        Http.Response again = http.put(api("/workflows/" + id)).bearer(system.developerToken())
                .body(workflowYaml(id, 1), YAML).send();
        assertProblem(again, 409, "workflow_version_not_higher");
        assertNoNewEvents(before);
    }

    // ------------------------------------------------------------------------------------------------
    // Tasks

    @Test
    void aDeveloperCreatesTasksAndReadsAndListsThem() {
        String workflow = publishWorkflow("tasks");
        String token = system.developerToken();

        JsonNode first = createTask(token, Map.of("title", "Write the plan", "workflow_id", workflow));
        String firstId = first.path("task_id").asString();

        Map<String, Object> request = new LinkedHashMap<>();
        request.put("title", "Implement the parser");
        request.put("workflow_id", workflow);
        request.put("priority", 7);
        request.put("depends_on", List.of(firstId));
        request.put("required_capabilities", List.of("java", "git"));
        JsonNode second = createTask(token, request);
        String secondId = second.path("task_id").asString();
        long position = second.path("position").asLong();
        assertThat(position).isGreaterThan(first.path("position").asLong());
        assertThat(secondId).isNotEqualTo(firstId);

        Http.Response read = http.get(api("/tasks/" + secondId + "?min_position=" + position)).bearer(token).send();
        assertThat(read.status()).as(read.toString()).isEqualTo(200);
        JsonNode task = read.json();
        assertSnakeCaseKeys(task, true);
        assertThat(task.path("task_id").asString()).isEqualTo(secondId);
        assertThat(task.path("title").asString()).isEqualTo("Implement the parser");
        assertThat(task.path("status").asString()).isEqualTo("created");
        assertThat(task.path("phase").asString()).isEqualTo("PLAN");
        assertThat(task.path("workflow_id").asString()).isEqualTo(workflow);
        assertThat(task.path("workflow_version").asInt()).isEqualTo(1);
        assertThat(task.path("priority").asInt()).isEqualTo(7);
        assertThat(texts(task.path("depends_on"))).containsExactly(firstId);
        assertThat(texts(task.path("required_capabilities"))).containsExactlyInAnyOrder("java", "git");

        Http.Response list = http.get(api("/tasks?workflow_id=" + workflow + "&min_position=" + position))
                .bearer(token).send();
        assertThat(list.status()).as(list.toString()).isEqualTo(200);
        assertThat(texts(list.json().path("items"), "task_id")).containsExactlyInAnyOrder(firstId, secondId);

        // Cursor pagination, one task per page.
        Http.Response page1 = http.get(api("/tasks?workflow_id=" + workflow + "&limit=1")).bearer(token).send();
        assertThat(page1.status()).as(page1.toString()).isEqualTo(200);
        assertThat(page1.json().path("items").size()).isEqualTo(1);
        String cursor = page1.json().path("next_cursor").asString(null);
        assertThat(cursor).as("next_cursor of a full page").isNotBlank();
        List<String> seen = new ArrayList<>(texts(page1.json().path("items"), "task_id"));
        for (int page = 0; cursor != null && page < 5; page++) {
            Http.Response next = http.get(api("/tasks?workflow_id=" + workflow + "&limit=1&after=" + cursor))
                    .bearer(token).send();
            assertThat(next.status()).as(next.toString()).isEqualTo(200);
            assertThat(next.json().path("items").size()).isLessThanOrEqualTo(1);
            seen.addAll(texts(next.json().path("items"), "task_id"));
            JsonNode nextCursor = next.json().path("next_cursor");
            cursor = nextCursor.isNull() || nextCursor.isMissingNode() ? null : nextCursor.asString();
        }
        assertThat(cursor).as("the last page has no next_cursor").isNull();
        assertThat(seen).containsExactlyInAnyOrder(firstId, secondId);
    }

    // ------------------------------------------------------------------------------------------------
    // Bad input: a clear 4xx, no stack traces, nothing written

    @Test
    void malformedJsonIsRejected() {
        String workflow = publishWorkflow("malformed");
        Http.Response response = assertWritesNothing(() -> http.post(api("/tasks")).bearer(system.developerToken())
                .body("{\"title\": \"oops\", \"workflow_id\": \"" + workflow + "\"", "application/json").send());
        assertProblem(response, 400, "malformed_request");
    }

    @Test
    void unknownFieldsAreRejected() {
        String workflow = publishWorkflow("unknown-field");
        Http.Response response = assertWritesNothing(() -> http.post(api("/tasks")).bearer(system.developerToken())
                .json(Map.of("title", "t", "workflow_id", workflow, "colour", "blue")).send());
        assertProblem(response, 400, "malformed_request");
        assertThat(response.json().path("detail").asString()).as(response.toString()).contains("colour");
    }

    @Test
    void fieldsOfTheWrongTypeAreRejected() {
        String workflow = publishWorkflow("wrong-type");
        Http.Response response = assertWritesNothing(() -> http.post(api("/tasks")).bearer(system.developerToken())
                .json(Map.of("title", "t", "workflow_id", workflow, "priority", "high")).send());
        assertProblem(response, 400, "malformed_request");
    }

    @Test
    void aFieldOfTheWrongTypeIsNamedButItsValueIsNotEchoed() {
        String workflow = publishWorkflow("wrong-type-detail");
        Http.Response response = http.post(api("/tasks")).bearer(system.developerToken())
                .json(Map.of("title", "t", "workflow_id", workflow, "priority", "s3cr3t-value")).send();
        assertProblem(response, 400, "malformed_request");
        assertThat(response.json().path("detail").asString()).as(response.toString())
                .contains("priority").doesNotContain("s3cr3t-value");
    }

    @Test
    void aTaskWithoutTitleIsRejectedWithTheProblems() {
        String workflow = publishWorkflow("no-title");
        Http.Response response = assertWritesNothing(() -> http.post(api("/tasks")).bearer(system.developerToken())
                .json(Map.of("workflow_id", workflow, "priority", 1)).send());
        assertProblem(response, 400, "validation_failed");
        assertThat(response.json().path("problems").isArray()).isTrue();
        assertThat(texts(response.json().path("problems"), "field")).contains("title");
    }

    @Test
    void anInvalidWorkflowIsRejectedWithEveryProblem() {
        String id = workflowId("invalid");
        String yaml = """
                workflow: %s
                version: 0
                enforcement: sometimes
                token_ttl_seconds: -5
                colour: blue
                phases:
                  - id: PLAN
                    terminal: true
                  - id: PLAN
                transitions:
                  - { from: PLAN, to: NOWHERE, gates: [no_such_gate] }
                """.formatted(id);
        Http.Response response = assertWritesNothing(() -> http.put(api("/workflows/" + id))
                .bearer(system.developerToken()).body(yaml, YAML).send());
        assertProblem(response, 422, "invalid_workflow");
        JsonNode problems = response.json().path("problems");
        assertThat(problems.size()).as(response.toString()).isGreaterThanOrEqualTo(3);
        for (JsonNode problem : problems) {
            assertThat(problem.has("path")).as(problem.toString()).isTrue();
            assertThat(problem.path("message").asString()).as(problem.toString()).isNotBlank();
        }
        assertProblem(http.get(api("/workflows/" + id)).bearer(system.developerToken()).send(), 404,
                "workflow_not_found");
    }

    @Test
    void unparseableYamlIsRejected() {
        String id = workflowId("unparseable");
        Http.Response response = assertWritesNothing(() -> http.put(api("/workflows/" + id))
                .bearer(system.developerToken())
                .body("workflow: " + id + "\nversion: [1\nphases: {{{\n  - : :\n\t- x", YAML).send());
        assertProblem(response, 422, "invalid_workflow");
        assertThat(response.json().path("problems").size()).as(response.toString()).isPositive();
    }

    @Test
    void aTaskForAnUnpublishedWorkflowIsRejected() {
        Http.Response response = assertWritesNothing(() -> http.post(api("/tasks")).bearer(system.developerToken())
                .json(Map.of("title", "t", "workflow_id", workflowId("never-published"))).send());
        assertProblem(response, 422, "unknown_workflow");
    }

    @Test
    void aTaskDependingOnAMissingTaskIsRejected() {
        String workflow = publishWorkflow("missing-dependency");
        String missing = UUID.randomUUID().toString();
        Http.Response response = assertWritesNothing(() -> http.post(api("/tasks")).bearer(system.developerToken())
                .json(Map.of("title", "t", "workflow_id", workflow, "depends_on", List.of(missing))).send());
        assertProblem(response, 422, "unknown_dependency");
        assertThat(response.body()).contains(missing);
    }

    @Test
    void anOversizedBodyIsRejected() {
        String workflow = publishWorkflow("oversized");
        String title = "x".repeat(300 * 1024);
        Http.Response response = assertWritesNothing(() -> http.post(api("/tasks")).bearer(system.developerToken())
                .json(Map.of("title", title, "workflow_id", workflow)).send());
        assertProblem(response, 413, "payload_too_large");
    }

    @Test
    void aWrongContentTypeIsRejected() {
        String workflow = publishWorkflow("content-type");
        Http.Response response = assertWritesNothing(() -> http.post(api("/tasks")).bearer(system.developerToken())
                .body("{\"title\":\"t\",\"workflow_id\":\"" + workflow + "\"}", "text/plain").send());
        assertProblem(response, 415, "unsupported_media_type");
    }

    // ------------------------------------------------------------------------------------------------
    // Roles and organisations

    @Test
    void viewersAndAuditorsCanReadButNotWrite() {
        String workflow = publishWorkflow("roles");
        JsonNode created = createTask(system.developerToken(), Map.of("title", "Readable", "workflow_id", workflow));
        String taskId = created.path("task_id").asString();
        long position = created.path("position").asLong();

        for (String token : List.of(system.viewerToken(), system.auditorToken())) {
            long before = system.countEvents();
            assertProblem(http.post(api("/tasks")).bearer(token)
                    .json(Map.of("title", "Not allowed", "workflow_id", workflow)).send(), 403, "forbidden");
            String other = workflowId("roles-denied");
            assertProblem(http.put(api("/workflows/" + other)).bearer(token).body(workflowYaml(other, 1), YAML).send(),
                    403, "forbidden");
            assertProblem(http.put(api("/workflows/" + workflow)).bearer(token).body(workflowYaml(workflow, 2), YAML)
                    .send(), 403, "forbidden");
            assertNoNewEvents(before);
        }

        String viewer = system.viewerToken();
        Http.Response task = http.get(api("/tasks/" + taskId + "?min_position=" + position)).bearer(viewer).send();
        assertThat(task.status()).as(task.toString()).isEqualTo(200);
        assertThat(task.json().path("task_id").asString()).isEqualTo(taskId);
        Http.Response list = http.get(api("/tasks?workflow_id=" + workflow)).bearer(viewer).send();
        assertThat(list.status()).as(list.toString()).isEqualTo(200);
        assertThat(texts(list.json().path("items"), "task_id")).containsExactly(taskId);
        Http.Response definition = http.get(api("/workflows/" + workflow)).bearer(viewer).send();
        assertThat(definition.status()).as(definition.toString()).isEqualTo(200);
        assertThat(definition.json().path("version").asInt()).isEqualTo(1);
    }

    @Test
    void anotherOrganisationSeesNothingOfTheDemoOrganisation() {
        String workflow = publishWorkflow("isolation");
        JsonNode created = createTask(system.developerToken(), Map.of("title", "Private", "workflow_id", workflow));
        String taskId = created.path("task_id").asString();
        long position = created.path("position").asLong();
        assertThat(http.get(api("/tasks/" + taskId + "?min_position=" + position)).bearer(system.developerToken())
                .send().status()).isEqualTo(200);

        String outsider = system.mintUserToken("outsider-admin", "org-" + shortId(), List.of("admin"));
        assertProblem(http.get(api("/tasks/" + taskId + "?min_position=" + position)).bearer(outsider).send(),
                404, "task_not_found");
        assertProblem(http.get(api("/workflows/" + workflow + "?min_position=" + position)).bearer(outsider).send(),
                404, "workflow_not_found");
        Http.Response filtered = http.get(api("/tasks?workflow_id=" + workflow + "&min_position=" + position))
                .bearer(outsider).send();
        assertThat(filtered.status()).as(filtered.toString()).isEqualTo(200);
        assertThat(filtered.json().path("items").size()).isZero();
        Http.Response all = http.get(api("/tasks?limit=200&min_position=" + position)).bearer(outsider).send();
        assertThat(all.status()).as(all.toString()).isEqualTo(200);
        assertThat(texts(all.json().path("items"), "task_id")).doesNotContain(taskId);

        // The outsider cannot use the demo organisation's workflow or task either.
        long before = system.countEvents();
        assertProblem(http.post(api("/tasks")).bearer(outsider).json(Map.of("title", "t", "workflow_id", workflow))
                .send(), 422, "unknown_workflow");
        assertNoNewEvents(before);

        // Workflow ids are per organisation: the outsider may publish its own version 1 of the same id...
        Http.Response own = http.put(api("/workflows/" + workflow)).bearer(outsider)
                .body(workflowYaml(workflow, 1), YAML).send();
        assertThat(own.status()).as(own.toString()).isEqualTo(201);
        // ...but still cannot depend on the demo organisation's task.
        before = system.countEvents();
        assertProblem(http.post(api("/tasks")).bearer(outsider).json(Map.of("title", "t", "workflow_id", workflow,
                "depends_on", List.of(taskId))).send(), 422, "unknown_dependency");
        assertNoNewEvents(before);
    }

    // ------------------------------------------------------------------------------------------------
    // Helpers

    @Test
    void aCommandRetriedWithItsIdempotencyKeyIsAnsweredOnceAndWrittenOnce() {
        String workflow = publishWorkflow("idempotent");
        Map<String, Object> body = Map.of("title", "Exactly once", "workflow_id", workflow);
        String key = "retry-" + System.nanoTime();
        long before = system.countEvents();

        Http.Response first = http.post(api("/tasks")).bearer(system.developerToken())
                .header("Idempotency-Key", key).json(body).send();
        Http.Response retry = http.post(api("/tasks")).bearer(system.developerToken())
                .header("Idempotency-Key", key).json(body).send();

        assertThat(first.status()).as(first.toString()).isEqualTo(201);
        assertThat(retry.status()).as(retry.toString()).isEqualTo(201);
        assertThat(retry.json()).isEqualTo(first.json());
        assertThat(system.countEvents()).isEqualTo(before + 1);
    }

    /**
     * Regression: an error raised before the handler read the request (a rejected token, a bad query parameter)
     * used to complete the response while the request was still being received, and the next request on the same
     * kept-alive connection could stall. The client here keeps its connections alive.
     */
    @Test
    void errorResponsesLeaveKeptAliveConnectionsUsable() {
        String internal = system.mintInternalToken("keepalive", "demo", List.of("viewer"));
        for (int i = 0; i < 40; i++) {
            assertProblem(http.get(api("/tasks")).bearer("not-a-jwt").send(), 401, "unauthenticated");
            assertProblem(http.get(api("/tasks?status=bogus")).bearer(system.viewerToken()).send(), 400,
                    "invalid_parameter");
            assertThat(http.get(api("/tasks?limit=1")).bearer(system.viewerToken()).send().status()).isEqualTo(200);

            assertProblem(http.get(system.queryUrl() + "/api/v1/tasks?limit=0")
                    .header("X-Phasegate-Identity", internal).send(), 400, "invalid_parameter");
            assertThat(http.get(system.queryUrl() + "/api/v1/tasks?limit=1")
                    .header("X-Phasegate-Identity", internal).send().status()).isEqualTo(200);
        }
    }

    @Test
    void thePhaseTokenKeysArePublishedAsAJwkSetWithoutPrivateParts() {
        Http.Response response = http.get(system.gatewayUrl() + "/.well-known/jwks.json").send();
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.contentType()).startsWith("application/jwk-set+json");
        var keys = response.json().path("keys");
        assertThat(keys.isArray()).isTrue();
        assertThat(keys.size()).isGreaterThanOrEqualTo(1);
        for (var key : keys) {
            assertThat(key.path("kty").asString()).isEqualTo("EC");
            assertThat(key.path("crv").asString()).isEqualTo("P-256");
            assertThat(key.path("kid").asString()).isNotBlank();
            assertThat(key.has("d")).as("no private key material").isFalse();
        }
    }

    private String api(String path) {
        return system.gatewayUrl() + "/api/v1" + path;
    }

    /** Publishes version 1 of the SPEC workflow under a fresh id, and returns the id. */
    private String publishWorkflow(String name) {
        String id = workflowId(name);
        Http.Response response = http.put(api("/workflows/" + id)).bearer(system.developerToken())
                .body(workflowYaml(id, 1), YAML).send();
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return id;
    }

    private JsonNode createTask(String token, Map<String, Object> request) {
        Http.Response response = http.post(api("/tasks")).bearer(token).json(request).send();
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        JsonNode body = response.json();
        assertThat(body.path("task_id").asString()).isNotBlank();
        assertThat(body.path("position").asLong()).isPositive();
        return body;
    }

    /** Runs a request that must not write, and checks that the event store did not grow. */
    private Http.Response assertWritesNothing(Supplier<Http.Response> request) {
        long before = system.countEvents();
        Http.Response response = request.get();
        assertNoNewEvents(before);
        return response;
    }

    private void assertNoNewEvents(long before) {
        sleep(300);
        assertThat(system.countEvents()).as("events in the event store").isEqualTo(before);
    }

    /** The token with its claims changed (roles: admin) but the original signature. */
    private static String withAlteredPayload(String jwt) {
        String[] parts = jwt.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        String altered = payload.replaceFirst("\"roles\":\\[[^]]*]", "\"roles\":[\"admin\"]");
        assertThat(altered).isNotEqualTo(payload);
        return parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(altered.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    }
}
