package io.phasegate.e2e;

import static io.phasegate.e2e.E2eSupport.assertProblem;
import static io.phasegate.e2e.E2eSupport.await;
import static io.phasegate.e2e.E2eSupport.shortId;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * Organisations, docks, credential rotation and resource provisioning end to end through the gateway (issue 4),
 * with role tokens of registered organisations, the {@code local} adapter (failure injection, latency) and the
 * {@code http} adapter against a stub provider on loopback. Subclasses choose the storage mode; every test works in
 * organisations of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ProvisioningContract {

    /** Every answer any test got, to scan for planted secrets. */
    private final List<Http.Response> responses = new CopyOnWriteArrayList<>();
    private final Http http = new Http(responses::add);
    private final StubProvider stub = new StubProvider();
    private PhasegateSystem system;

    abstract PhasegateSystem.Mode mode();

    @BeforeAll
    void startSystem() {
        stub.start();
        system = PhasegateSystem.start(mode(), Map.of(
                "PHASEGATE_HTTP_ADAPTER_ALLOWED_BASE_URLS", stub.baseUrl(),
                "PHASEGATE_PROVISIONING_INITIAL_BACKOFF", "200ms",
                "PHASEGATE_PROVISIONING_MAX_BACKOFF", "1s"));
    }

    @AfterAll
    void stopSystem() {
        if (system != null) {
            system.close();
        }
        stub.stop();
    }

    // ------------------------------------------------------------------------------------------------
    // RBAC and organisation isolation

    @Test
    void rolesDecideWhatEachMemberMayDoAndOtherOrganisationsSeeNothing() {
        Org org = newOrganisation();
        String dockId = registerLocalDock(org, "api-" + shortId());
        String resourceId = provision(org.admin(), dockId, "database", "orders-" + shortId(), Map.of("size", "s"));
        awaitState(org.admin(), resourceId, "provisioned");

        // developer: reads, but no provisioning writes
        assertThat(get(org.developer(), "/resources/" + resourceId).status()).isEqualTo(200);
        assertThat(get(org.developer(), "/resources/" + resourceId + "/status").status()).isEqualTo(200);
        assertThat(get(org.developer(), "/resources?dock_id=" + dockId).status()).isEqualTo(200);
        assertThat(get(org.developer(), "/docks/" + dockId).status()).isEqualTo(200);
        Org other = newOrganisation();
        long before = system.countEvents();
        assertProblem(post(org.developer(), "/resources", Map.of("dock_id", dockId, "type", "server",
                "name", "dev-" + shortId(), "spec", Map.of())), 403, null);
        assertProblem(http.patch(url("/resources/" + resourceId)).bearer(org.developer()).header("If-Match", "\"1\"")
                .json(Map.of("spec", Map.of("size", "m"))).send(), 403, null);
        assertProblem(http.delete(url("/resources/" + resourceId)).bearer(org.developer()).send(), 403, null);
        assertProblem(post(org.developer(), "/docks/" + dockId + "/credentials/rotate",
                Map.of("credentials", Map.of("api_key", "x-" + shortId()))), 403, null);
        assertProblem(http.delete(url("/docks/" + dockId)).bearer(org.developer()).send(), 403, null);
        assertThat(system.countEvents()).as("refused writes write nothing").isEqualTo(before);

        // viewer: provisioning none, so not even reads
        assertProblem(get(org.viewer(), "/resources/" + resourceId), 403, null);
        assertProblem(get(org.viewer(), "/resources"), 403, null);
        assertProblem(get(org.viewer(), "/docks"), 403, null);
        // auditor: reads
        assertThat(get(org.auditor(), "/resources/" + resourceId + "/operations").status()).isEqualTo(200);

        // another organisation's admin: 404 on every id, never 403
        for (String path : List.of("/resources/" + resourceId, "/resources/" + resourceId + "/status",
                "/resources/" + resourceId + "/operations", "/docks/" + dockId)) {
            assertThat(get(other.admin(), path).status()).as(path).isEqualTo(404);
        }
        assertThat(http.patch(url("/resources/" + resourceId)).bearer(other.admin()).header("If-Match", "\"1\"")
                .json(Map.of("spec", Map.of())).send().status()).isEqualTo(404);
        assertThat(http.delete(url("/resources/" + resourceId)).bearer(other.admin()).send().status()).isEqualTo(404);
        assertThat(post(other.admin(), "/docks/" + dockId + "/credentials/rotate",
                Map.of("credentials", Map.of("api_key", "x-" + shortId()))).status()).isEqualTo(404);
        assertThat(http.delete(url("/docks/" + dockId)).bearer(other.admin()).send().status()).isEqualTo(404);
        assertThat(post(other.admin(), "/resources", Map.of("dock_id", dockId, "type", "server",
                "name", "steal-" + shortId(), "spec", Map.of())).status()).isEqualTo(404);
        JsonNode otherList = get(other.admin(), "/resources").json();
        assertThat(otherList.toString()).doesNotContain(resourceId);
        assertThat(get(other.admin(), "/orgs/" + org.id()).status()).isEqualTo(404);
        assertThat(system.countEvents()).as("refused writes write nothing").isEqualTo(before);

        // membership decides in a registered organisation: a removed member loses its roles at once
        assertThat(http.delete(url("/orgs/" + org.id() + "/members/" + org.developerSubject())).bearer(org.admin())
                .send().status()).isEqualTo(200);
        await(() -> get(org.developer(), "/resources/" + resourceId), r -> r.status() == 403,
                "the removed developer is refused");
    }

    // ------------------------------------------------------------------------------------------------
    // Secrets

    @Test
    void aPlantedCredentialNeverAppearsInTheStoresTheLogsOrAnyResponse() {
        Org org = newOrganisation();
        String planted = "planted-" + shortId() + shortId();
        String rotated = "rotated-" + shortId() + shortId();
        String rejected = "invalid-" + shortId() + shortId();
        String dockId = registerLocalDock(org, planted);
        String resourceId = provision(org.admin(), dockId, "server", "web-" + shortId(), Map.of("cpus", 2));
        awaitState(org.admin(), resourceId, "provisioned");

        rotate(org.admin(), dockId, rotated);
        await(() -> get(org.admin(), "/docks/" + dockId),
                r -> r.json().path("credential_version").asInt() == 2, "the rotation to version 2");
        rotate(org.admin(), dockId, rejected);
        await(() -> get(org.admin(), "/docks/" + dockId),
                r -> "failed".equals(r.json().path("rotation").path("status").asString()), "the failed rotation");

        Http.Response deprovision = http.delete(url("/resources/" + resourceId)).bearer(org.admin()).send();
        assertThat(deprovision.status()).as(deprovision.toString()).isEqualTo(202);
        awaitState(org.admin(), resourceId, "deprovisioned");
        Http.Response deleted = http.delete(url("/docks/" + dockId)).bearer(org.admin()).send();
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(200);
        await(() -> get(org.admin(), "/docks/" + dockId), r -> "deleted".equals(r.json().path("status").asString()),
                "the deleted dock");
        // the audit trail and its export saw all of it
        assertThat(get(org.admin(), "/audit/export?format=ndjson").status()).isEqualTo(200);
        // and so does the raw event history, in every storage mode (Axon Server too, ADR 0013)
        Http.Response history = get(org.admin(), "/history/events?format=ndjson");
        assertThat(history.status()).as(history.toString()).isEqualTo(200);
        List<JsonNode> resourceEvents = history.body().lines().filter(line -> !line.isBlank())
                .map(Http.JSON::readTree)
                .filter(event -> resourceId.equals(event.path("aggregate_id").asString())).toList();
        assertThat(resourceEvents).extracting(event -> event.path("type").asString())
                .contains("ResourceProvisionedEvent");
        assertThat(resourceEvents).allSatisfy(event ->
                assertThat(event.path("payload").path("orgId").asString()).isEqualTo(org.id()));
        long provisionedAt = resourceEvents.stream()
                .filter(event -> "ResourceProvisionedEvent".equals(event.path("type").asString()))
                .findFirst().orElseThrow().path("position").asLong();
        long lastAt = resourceEvents.get(resourceEvents.size() - 1).path("position").asLong();
        // the resource as it was when provisioned, and at its last event; not before its first one
        Http.Response provisionedThen = get(org.auditor(),
                "/history/resources/" + resourceId + "?as_of_position=" + provisionedAt);
        assertThat(provisionedThen.status()).as(provisionedThen.toString()).isEqualTo(200);
        assertThat(provisionedThen.json().path("resource").path("state").asString()).isEqualTo("provisioned");
        Http.Response lastThen = get(org.auditor(), "/history/resources/" + resourceId + "?as_of_position=" + lastAt);
        assertThat(lastThen.status()).as(lastThen.toString()).isEqualTo(200);
        assertThat(lastThen.json().path("resource").path("state").asString()).isEqualTo("deprovisioned");
        assertProblem(get(org.auditor(), "/history/resources/" + resourceId + "?as_of_position="
                + (resourceEvents.get(0).path("position").asLong() - 1)), 404, "resource_not_found");

        for (String secret : List.of(planted, rotated, rejected)) {
            assertThat(system.scanDatabase(secret)).as("database rows containing " + secret).isEmpty();
            assertThat(system.scanLogs(secret)).as("logs containing " + secret).isEmpty();
            assertThat(responses).as("responses containing " + secret)
                    .noneMatch(r -> r.body().contains(secret));
        }
        // the decryptions were recorded, and the data key is gone
        assertThat(system.countEvents(dockId, "DockCredentialDecryptedEvent")).isPositive();
        assertThat(system.countEvents(dockId, "DockDeletedEvent")).isEqualTo(1);
    }

    @Test
    void aRotationWithRejectedCredentialsKeepsTheOldOnesWorking() {
        Org org = newOrganisation();
        String dockId = registerLocalDock(org, "good-" + shortId());
        rotate(org.admin(), dockId, "invalid-" + shortId());
        JsonNode dock = await(() -> get(org.admin(), "/docks/" + dockId),
                r -> "failed".equals(r.json().path("rotation").path("status").asString()), "the failed rotation")
                .json();
        assertThat(dock.path("credential_version").asInt()).isEqualTo(1);
        assertThat(dock.path("rotation").path("last_failure").path("reason").asString()).isNotBlank();
        assertThat(system.countEvents(dockId, "CredentialRotationFailedEvent")).isEqualTo(1);

        // the old credentials still work: a provision succeeds
        String resourceId = provision(org.admin(), dockId, "domain", "shop-" + shortId(), Map.of());
        awaitState(org.admin(), resourceId, "provisioned");

        // a good rotation then makes version 2 current; the previous one is kept for the grace period
        int candidate = rotate(org.admin(), dockId, "better-" + shortId());
        assertThat(candidate).as("the failed candidate's version is not reused").isEqualTo(3);
        JsonNode rotatedDock = await(() -> get(org.admin(), "/docks/" + dockId),
                r -> r.json().path("credential_version").asInt() == candidate, "the new version").json();
        assertThat(rotatedDock.path("rotation").path("previous_version").asInt()).isEqualTo(1);
        String second = provision(org.admin(), dockId, "domain", "shop2-" + shortId(), Map.of());
        awaitState(org.admin(), second, "provisioned");
    }

    // ------------------------------------------------------------------------------------------------
    // The provisioning process

    @Test
    void aTransientFailureIsRetriedAndAPermanentOneEndsFailedWithTheReason() {
        Org org = newOrganisation();
        String dockId = registerLocalDock(org, "key-" + shortId());
        String retried = provision(org.admin(), dockId, "server", "flaky-" + shortId(),
                Map.of("_inject", Map.of("fail_times", 2, "mode", "transient")));
        JsonNode status = awaitState(org.admin(), retried, "provisioned");
        assertThat(status.path("operation").path("attempts").asInt()).isEqualTo(3);
        assertThat(system.countEvents(retried, "ResourceOperationAttemptFailedEvent")).isEqualTo(2);

        String broken = provision(org.admin(), dockId, "server", "broken-" + shortId(),
                Map.of("_inject", Map.of("fail_times", 1, "mode", "permanent")));
        JsonNode failed = awaitState(org.admin(), broken, "failed");
        assertThat(failed.toString()).contains("inject");
        JsonNode operations = get(org.admin(), "/resources/" + broken + "/operations").json();
        assertThat(operations.toString()).contains("failed");
    }

    @Test
    void killingCommandServiceDuringAProviderCallStillEndsWithExactlyOneProviderResource() {
        Org org = newOrganisation();
        String dockId = registerLocalDock(org, "key-" + shortId());
        String resourceId = provision(org.admin(), dockId, "web_service", "slow-" + shortId(),
                Map.of("_inject", Map.of("delay_ms", 4000)));
        // the call is in flight once the process has recorded the decryption for it
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (system.countEvents(dockId, "DockCredentialDecryptedEvent") == 0 && System.nanoTime() < deadline) {
            E2eSupport.sleep(50);
        }
        E2eSupport.sleep(500);
        system.restart("command-service");

        JsonNode status = awaitState(org.admin(), resourceId, "provisioned", 90);
        String providerId = status.path("provider_resource_id").asString();
        assertThat(providerId).isNotBlank();
        assertThat(localProviderResourcesFor(resourceId)).as("provider resources for " + resourceId).hasSize(1);
        assertThat(system.countEvents(resourceId, "ResourceProvisionedEvent")).isEqualTo(1);
    }

    @Test
    void updatesNeedTheCurrentRevision() {
        Org org = newOrganisation();
        String dockId = registerLocalDock(org, "key-" + shortId());
        String resourceId = provision(org.admin(), dockId, "database", "rev-" + shortId(), Map.of("size", "s"));
        awaitState(org.admin(), resourceId, "provisioned");
        Http.Response resource = get(org.admin(), "/resources/" + resourceId);
        assertThat(resource.header("ETag")).isEqualTo("\"1\"");

        Http.Response missing = http.patch(url("/resources/" + resourceId)).bearer(org.admin())
                .json(Map.of("spec", Map.of("size", "m"))).send();
        assertProblem(missing, 428, null);
        Http.Response updated = http.patch(url("/resources/" + resourceId)).bearer(org.admin())
                .header("If-Match", "\"1\"").json(Map.of("spec", Map.of("size", "m"))).send();
        assertThat(updated.status()).as(updated.toString()).isEqualTo(202);
        assertThat(updated.json().path("revision").asLong()).isEqualTo(2);
        // the update's own completion, not the state from before it
        await(() -> get(org.admin(), "/resources/" + resourceId + "/status"),
                r -> r.status() == 200 && "provisioned".equals(r.json().path("state").asString())
                        && "update".equals(r.json().path("operation").path("kind").asString())
                        && "succeeded".equals(r.json().path("operation").path("status").asString()),
                "the update to complete");
        long before = system.countEvents();
        Http.Response stale = http.patch(url("/resources/" + resourceId)).bearer(org.admin())
                .header("If-Match", "\"1\"").json(Map.of("spec", Map.of("size", "l"))).send();
        assertProblem(stale, 409, "stale_revision");
        assertThat(system.countEvents()).isEqualTo(before);
        assertThat(get(org.admin(), "/resources/" + resourceId).json().path("spec").path("size").asString())
                .isEqualTo("m");
    }

    @Test
    void theHttpAdapterProvisionsAtAStubProviderAndRefusesBaseUrlsOutsideTheAllowList() {
        Org org = newOrganisation();
        Http.Response dock = post(org.admin(), "/docks", Map.of("name", "stub cloud", "provider", "http",
                "settings", Map.of("base_url", stub.baseUrl()),
                "credentials", Map.of("key_id", "k1", "secret", "stub-secret-" + shortId())));
        assertThat(dock.status()).as(dock.toString()).isEqualTo(201);
        String dockId = dock.json().path("dock_id").asString();
        String resourceId = provision(org.admin(), dockId, "server", "stubbed-" + shortId(), Map.of("cpus", 1));
        JsonNode status = awaitState(org.admin(), resourceId, "provisioned");
        assertThat(status.path("provider_resource_id").asString()).startsWith("stub-");
        assertThat(stub.creates()).as("resources created at the stub for " + resourceId)
                .filteredOn(body -> body.contains(resourceId) || body.contains("stubbed-")).hasSize(1);
        assertThat(stub.signedRequests()).as("every call to the stub is signed").isEqualTo(stub.requests());

        long before = system.countEvents();
        for (String baseUrl : List.of("http://169.254.169.254/latest/meta-data", "http://127.0.0.1:1/provider",
                stub.baseUrl().replace("/provider", "/other"), "file:///etc/passwd")) {
            Http.Response refused = post(org.admin(), "/docks", Map.of("name", "evil", "provider", "http",
                    "settings", Map.of("base_url", baseUrl), "credentials", Map.of("key_id", "k", "secret", "s")));
            assertThat(refused.status()).as(refused.toString()).isBetween(400, 422);
        }
        assertThat(system.countEvents()).as("refused docks write nothing").isEqualTo(before);
    }

    @Test
    void badInputToTheProvisioningEndpointsIsRefusedAndWritesNothing() {
        Org org = newOrganisation();
        String dockId = registerLocalDock(org, "key-" + shortId());
        long before = system.countEvents();
        List<Http.Response> answers = new ArrayList<>();
        answers.add(http.post(url("/resources")).bearer(org.admin()).body("{\"dock_id\": ", "application/json").send());
        answers.add(post(org.admin(), "/resources", Map.of("dock_id", dockId, "type", "mainframe", "name", "x",
                "spec", Map.of())));
        answers.add(post(org.admin(), "/resources", Map.of("dock_id", dockId, "type", "server", "name", "x",
                "spec", Map.of(), "surprise", true)));
        answers.add(post(org.admin(), "/resources", Map.of("dock_id", dockId, "type", "server",
                "name", "Not A Slug!", "spec", Map.of())));
        answers.add(post(org.admin(), "/resources", Map.of("dock_id", dockId, "type", "server", "name", "x",
                "spec", "not an object")));
        answers.add(post(org.admin(), "/docks", Map.of("name", "d", "provider", "nonexistent",
                "credentials", Map.of("api_key", "k"))));
        answers.add(post(org.admin(), "/docks", Map.of("name", "d", "provider", "local", "credentials", 42)));
        answers.add(post(org.admin(), "/orgs/" + org.id() + "/members", Map.of("subject", "x", "roles",
                List.of("no-such-role"))));
        answers.add(post(org.admin(), "/docks/" + dockId + "/credentials/rotate", Map.of("credentials", Map.of(),
                "grace_period_seconds", "soon")));
        for (Http.Response answer : answers) {
            assertThat(answer.status()).as(answer.toString()).isBetween(400, 422);
            assertThat(answer.contentType()).as(answer.toString()).startsWith("application/problem+json");
        }
        assertThat(system.countEvents()).isEqualTo(before);
    }

    // ------------------------------------------------------------------------------------------------
    // Helpers

    /** A registered organisation with an admin (its creator) and a developer, auditor and viewer member. */
    record Org(String id, String admin, String developer, String developerSubject, String auditor, String viewer) {
    }

    private Org newOrganisation() {
        String id = "org-" + shortId();
        String adminSubject = "ada-" + shortId();
        String admin = system.mintUserToken(adminSubject, id, List.of("admin"));
        Http.Response created = post(admin, "/orgs", Map.of("org_id", id, "name", "Org " + id));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        Map<String, String> tokens = new LinkedHashMap<>();
        for (String role : List.of("developer", "auditor", "viewer")) {
            String subject = role + "-" + shortId();
            Http.Response added = post(admin, "/orgs/" + id + "/members",
                    Map.of("subject", subject, "roles", List.of(role)));
            assertThat(added.status()).as(added.toString()).isEqualTo(201);
            // the token claims admin: in a registered organisation the membership decides, not the token
            tokens.put(role, system.mintUserToken(subject, id, List.of("admin")));
            tokens.put(role + "-subject", subject);
        }
        Org org = new Org(id, admin, tokens.get("developer"), tokens.get("developer-subject"), tokens.get("auditor"),
                tokens.get("viewer"));
        await(() -> get(org.viewer(), "/docks"), r -> r.status() == 403, "the viewer's membership");
        return org;
    }

    private String registerLocalDock(Org org, String apiKey) {
        Http.Response dock = post(org.admin(), "/docks", Map.of("name", "local " + shortId(), "provider", "local",
                "settings", Map.of(), "credentials", Map.of("api_key", apiKey)));
        assertThat(dock.status()).as(dock.toString()).isEqualTo(201);
        assertThat(dock.json().path("credential_version").asInt()).isEqualTo(1);
        return dock.json().path("dock_id").asString();
    }

    /** Starts a rotation; answers the candidate version (versions are never reused, also after a failure). */
    private int rotate(String token, String dockId, String apiKey) {
        Http.Response rotation = post(token, "/docks/" + dockId + "/credentials/rotate",
                Map.of("credentials", Map.of("api_key", apiKey), "grace_period_seconds", 60));
        assertThat(rotation.status()).as(rotation.toString()).isEqualTo(202);
        return rotation.json().path("candidate_version").asInt();
    }

    private String provision(String token, String dockId, String type, String name, Map<String, Object> spec) {
        Http.Response provisioned = post(token, "/resources", Map.of("dock_id", dockId, "type", type, "name", name,
                "spec", spec));
        assertThat(provisioned.status()).as(provisioned.toString()).isEqualTo(202);
        assertThat(provisioned.json().path("state").asString()).isEqualTo("provisioning");
        return provisioned.json().path("resource_id").asString();
    }

    private JsonNode awaitState(String token, String resourceId, String state) {
        return awaitState(token, resourceId, state, 30);
    }

    private JsonNode awaitState(String token, String resourceId, String state, int seconds) {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        Http.Response last = null;
        while (System.nanoTime() < deadline) {
            last = get(token, "/resources/" + resourceId + "/status");
            if (last.status() == 200 && state.equals(last.json().path("state").asString())) {
                return last.json();
            }
            E2eSupport.sleep(100);
        }
        throw new AssertionError("Resource " + resourceId + " did not become " + state + "; last: " + last);
    }

    /** The files of the local provider (under the data directory) that hold {@code resourceId}. */
    private List<Path> localProviderResourcesFor(String resourceId) {
        Path root = system.dataDir().resolve("local-provider");
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).filter(f -> f.toString().endsWith(".json"))
                    .filter(f -> f.getParent().getFileName().toString().equals("resources"))
                    .filter(f -> contains(f, resourceId))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean contains(Path file, String text) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    private Http.Response get(String token, String path) {
        return http.get(url(path)).bearer(token).send();
    }

    private Http.Response post(String token, String path, Object body) {
        return http.post(url(path)).bearer(token).json(body).send();
    }

    private String url(String path) {
        return system.gatewayUrl() + "/api/v1" + path;
    }

    /**
     * A provider REST API on loopback, as the {@code http} adapter expects it (docs/adapters.md): validate
     * credentials, create (idempotent per {@code Idempotency-Key}), read, update and delete resources. It records
     * every call and whether it carried a signature.
     */
    static final class StubProvider {

        private HttpServer server;
        private final Map<String, String> byIdempotencyKey = new ConcurrentHashMap<>();
        private final Map<String, String> resources = new ConcurrentHashMap<>();
        private final List<String> creates = new CopyOnWriteArrayList<>();
        private final AtomicInteger requests = new AtomicInteger();
        private final AtomicInteger signed = new AtomicInteger();
        private final AtomicInteger ids = new AtomicInteger();

        void start() {
            try {
                server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server.createContext("/provider/", this::handle);
            server.start();
        }

        void stop() {
            if (server != null) {
                server.stop(0);
            }
        }

        String baseUrl() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/provider";
        }

        List<String> creates() {
            return Collections.unmodifiableList(creates);
        }

        int requests() {
            return requests.get();
        }

        int signedRequests() {
            return signed.get();
        }

        private void handle(HttpExchange exchange) throws IOException {
            requests.incrementAndGet();
            if (exchange.getRequestHeaders().getFirst("X-Phasegate-Signature") != null) {
                signed.incrementAndGet();
            }
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String path = exchange.getRequestURI().getPath().substring("/provider".length());
            String method = exchange.getRequestMethod();
            if (method.equals("POST") && path.equals("/credentials/validate")) {
                reply(exchange, 200, "{\"valid\":true}");
            } else if (method.equals("POST") && path.equals("/resources")) {
                String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
                String id = byIdempotencyKey.computeIfAbsent(key == null ? "none-" + ids.get() : key, k -> {
                    creates.add(body);
                    String created = "stub-" + ids.incrementAndGet();
                    resources.put(created, body);
                    return created;
                });
                reply(exchange, 201, "{\"id\":\"" + id + "\",\"attributes\":{\"address\":\"10.0.0.7\"}}");
            } else if (path.startsWith("/resources/")) {
                String id = path.substring("/resources/".length());
                switch (method) {
                    case "GET" -> reply(exchange, resources.containsKey(id) ? 200 : 404,
                            "{\"id\":\"" + id + "\",\"attributes\":{}}");
                    case "PUT" -> {
                        resources.put(id, body);
                        reply(exchange, 200, "{\"id\":\"" + id + "\",\"attributes\":{}}");
                    }
                    case "DELETE" -> {
                        resources.remove(id);
                        reply(exchange, 204, null);
                    }
                    default -> reply(exchange, 405, "{}");
                }
            } else {
                reply(exchange, 404, "{}");
            }
        }

        private static void reply(HttpExchange exchange, int status, String json) throws IOException {
            if (json == null) {
                exchange.sendResponseHeaders(status, -1);
                exchange.close();
                return;
            }
            byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        }
    }
}
