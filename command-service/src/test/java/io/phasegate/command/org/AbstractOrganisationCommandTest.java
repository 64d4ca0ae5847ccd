package io.phasegate.command.org;

import static org.assertj.core.api.Assertions.assertThat;

import io.phasegate.command.workflow.TestWorkflows;
import io.phasegate.platform.identity.CallerIdentity;
import io.phasegate.platform.identity.InternalTokenIssuer;
import io.phasegate.platform.identity.InternalTokens;
import io.phasegate.platform.identity.JwkFiles;
import io.phasegate.platform.identity.testing.TestIdentities;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Organisations over real HTTP against a real event store (ADR 0008): the endpoints' answers (201/200/400/403/404/
 * 409/422), what they append and what the access table holds right after the answer (it is written in the appending
 * transaction), and that every permission check of command-service resolves the caller's permissions from the
 * organisation's membership, falling back to token roles only for unregistered organisations. Subclasses choose the
 * database, a fresh one per class. Operators: admins of {@code ops}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"axon.update-check.disabled=true", "axoniq.update-checker.disabled=true",
                "phasegate.admin.operator-org=ops"})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
abstract class AbstractOrganisationCommandTest {

    static final String EVENTS = "eventstore.domain_event_entry";
    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final InternalTokenIssuer ISSUER = new InternalTokenIssuer(JwkFiles.loadOrCreateSigningKey(
            TestIdentities.PUBLIC_KEYS_FILE.getParent().resolve("internal-signing.json"), "internal", false),
            Duration.ofMinutes(10), Clock.systemUTC());

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    WebTestClient http;

    @BeforeEach
    void client() {
        http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(30)).build();
    }

    static String token(String subject, String org, String... roles) {
        return ISSUER.issue(new CallerIdentity(subject, org, Set.of(roles)));
    }

    static String newOrg() {
        return "org-" + UUID.randomUUID().toString().substring(0, 8);
    }

    // --- POST /orgs --------------------------------------------------------------------------------------------

    @Test
    void anAdminRegistersItsOrganisationAndTheAccessTableHoldsItAtOnce() {
        String org = newOrg();
        long before = eventCount();
        JsonNode created = json(send(HttpMethod.POST, "/api/v1/orgs", Map.of("org_id", org, "name", " Acme "),
                token("ada", org, "admin"), null).expectStatus().isCreated()
                .expectHeader().valueEquals(HttpHeaders.LOCATION, "/api/v1/orgs/" + org)
                .expectBody(String.class).returnResult().getResponseBody());
        assertThat(created.path("org_id").asString()).isEqualTo(org);
        long position = created.path("position").asLong();

        List<Map<String, Object>> rows = jdbc.queryForList("SELECT payload_type, global_index, type FROM " + EVENTS
                + " WHERE aggregate_identifier = ? ORDER BY sequence_number", org);
        assertThat(rows).extracting(row -> row.get("payload_type")).containsExactly(
                "io.phasegate.events.org.OrganisationCreatedEvent", "io.phasegate.events.org.MemberAddedEvent");
        assertThat(rows).extracting(row -> row.get("type")).containsOnly("Organisation");
        assertThat(((Number) rows.get(1).get("global_index")).longValue()).isEqualTo(position);
        assertThat(eventCount()).isEqualTo(before + 2);

        // written in the appending transaction: no waiting
        assertThat(jdbc.queryForList("SELECT org_id FROM organisation_access WHERE org_id = ?", String.class, org))
                .containsExactly(org);
        assertThat(jdbc.queryForList("SELECT role FROM organisation_access_roles WHERE org_id = ? ORDER BY role",
                String.class, org)).containsExactly("admin", "auditor", "developer", "viewer");
        assertThat(jdbc.queryForMap("SELECT * FROM organisation_access_roles WHERE org_id = ? AND role = 'developer'",
                org)).containsEntry(key("provisioning"), "read").containsEntry(key("tasks"), "full")
                .containsEntry(key("audit"), "none").containsEntry(key("org_admin"), false);
        assertThat(jdbc.queryForList("SELECT subject, roles FROM organisation_access_members WHERE org_id = ?", org))
                .containsExactly(Map.of(key("subject"), "ada", key("roles"), "[\"admin\"]"));

        JsonNode again = problem(send(HttpMethod.POST, "/api/v1/orgs", Map.of("org_id", org, "name", "Acme"),
                token("ada", org, "admin"), null), 409);
        assertThat(again.path("code").asString()).isEqualTo("organisation_exists");
        assertThat(eventCount()).isEqualTo(before + 2);
    }

    @Test
    void registeringNeedsTokenAdminOfThatOrganisationOrAnOperator() {
        String org = newOrg();
        long before = eventCount();
        assertThat(problem(send(HttpMethod.POST, "/api/v1/orgs", Map.of("org_id", org, "name", "X"),
                token("dev", org, "developer"), null), 403).path("code").asString()).isEqualTo("forbidden");
        assertThat(problem(send(HttpMethod.POST, "/api/v1/orgs", Map.of("org_id", org, "name", "X"),
                token("eve", "elsewhere", "admin"), null), 404).path("code").asString())
                .isEqualTo("organisation_not_found");
        assertThat(eventCount()).isEqualTo(before);

        send(HttpMethod.POST, "/api/v1/orgs", Map.of("org_id", org, "name", "X"), token("op", "ops", "admin"), null)
                .expectStatus().isCreated();
        assertThat(jdbc.queryForList("SELECT subject FROM organisation_access_members WHERE org_id = ?", String.class,
                org)).containsExactly("op");
    }

    @Test
    void badRequestsAnswer400AndWriteNothing() {
        String org = newOrg();
        String admin = token("ada", org, "admin");
        long before = eventCount();
        JsonNode invalid = problem(send(HttpMethod.POST, "/api/v1/orgs", Map.of("org_id", "Not A Slug", "name", ""),
                admin, null), 400);
        assertThat(invalid.path("code").asString()).isEqualTo("validation_failed");
        assertThat(invalid.path("problems").findValuesAsString("field")).containsExactlyInAnyOrder("org_id", "name");
        problem(send(HttpMethod.POST, "/api/v1/orgs", Map.of("org_id", org, "name", "X", "owner", "me"), admin, null),
                400);
        problem(http.post().uri("/api/v1/orgs").header(InternalTokens.HEADER, admin)
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"org_id\": ").exchange(), 400);

        register(org, "ada");
        problem(send(HttpMethod.PUT, "/api/v1/orgs/" + org + "/roles/x", Map.of("provisioning", "full", "tasks",
                "all", "audit", "full"), admin, null), 400);
        problem(send(HttpMethod.PUT, "/api/v1/orgs/" + org + "/roles/Bad_Role", Map.of("provisioning", "full",
                "tasks", "read", "audit", "none", "org_admin", false), admin, null), 400);
        problem(send(HttpMethod.POST, "/api/v1/orgs/" + org + "/members", Map.of("subject", "bob", "roles", List.of()),
                admin, null), 400);
        problem(send(HttpMethod.POST, "/api/v1/orgs/" + org + "/members", Map.of("subject", "has space",
                "roles", List.of("viewer")), admin, null), 400);
        assertThat(eventCount()).isEqualTo(before + 2);
    }

    // --- roles and members -------------------------------------------------------------------------------------

    @Test
    void adminsManageRolesAndMembers() {
        String org = newOrg();
        String admin = token("ada", org, "admin");
        register(org, "ada");

        JsonNode role = json(send(HttpMethod.PUT, "/api/v1/orgs/" + org + "/roles/release-manager", Map.of(
                "provisioning", "full", "tasks", "read", "audit", "none", "org_admin", false), admin, null)
                .expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody());
        assertThat(role.path("role").asString()).isEqualTo("release-manager");
        assertThat(role.path("position").asLong()).isPositive();

        JsonNode added = json(send(HttpMethod.POST, "/api/v1/orgs/" + org + "/members", Map.of("subject",
                "bob@example.com", "roles", List.of("viewer", "release-manager")), admin, null)
                .expectStatus().isCreated()
                .expectHeader().valueEquals(HttpHeaders.LOCATION, "/api/v1/orgs/" + org + "/members/bob@example.com")
                .expectBody(String.class).returnResult().getResponseBody());
        assertThat(added.path("roles").toString()).isEqualTo("[\"release-manager\",\"viewer\"]");
        assertThat(memberRoles(org, "bob@example.com")).isEqualTo("[\"release-manager\",\"viewer\"]");

        assertThat(problem(send(HttpMethod.POST, "/api/v1/orgs/" + org + "/members", Map.of("subject",
                "bob@example.com", "roles", List.of("viewer")), admin, null), 409).path("code").asString())
                .isEqualTo("member_exists");
        JsonNode unknown = problem(send(HttpMethod.POST, "/api/v1/orgs/" + org + "/members", Map.of("subject", "cy",
                "roles", List.of("root")), admin, null), 422);
        assertThat(unknown.path("code").asString()).isEqualTo("unknown_role");
        assertThat(unknown.path("unknown_roles").toString()).isEqualTo("[\"root\"]");

        send(HttpMethod.PUT, "/api/v1/orgs/" + org + "/members/bob@example.com", Map.of("roles", List.of("auditor")),
                admin, null).expectStatus().isOk();
        assertThat(memberRoles(org, "bob@example.com")).isEqualTo("[\"auditor\"]");
        assertThat(problem(send(HttpMethod.PUT, "/api/v1/orgs/" + org + "/members/nobody", Map.of("roles",
                List.of("viewer")), admin, null), 404).path("code").asString()).isEqualTo("member_not_found");

        assertThat(problem(send(HttpMethod.DELETE, "/api/v1/orgs/" + org + "/members/ada", null, admin, null), 409)
                .path("code").asString()).isEqualTo("last_org_admin");
        assertThat(problem(send(HttpMethod.PUT, "/api/v1/orgs/" + org + "/members/ada", Map.of("roles",
                List.of("viewer")), admin, null), 409).path("code").asString()).isEqualTo("last_org_admin");
        send(HttpMethod.DELETE, "/api/v1/orgs/" + org + "/members/bob@example.com", null, admin, null)
                .expectStatus().isOk().expectBody().jsonPath("$.removed").isEqualTo(true);
        assertThat(memberRoles(org, "bob@example.com")).isNull();
        assertThat(problem(send(HttpMethod.DELETE, "/api/v1/orgs/" + org + "/members/bob@example.com", null, admin,
                null), 404).path("code").asString()).isEqualTo("member_not_found");
    }

    @Test
    void anotherOrganisationAnswers404AndNonAdmins403() {
        String org = newOrg();
        register(org, "ada");
        String outsider = token("eve", "elsewhere", "admin");
        Map<String, Object> role = Map.of("provisioning", "read", "tasks", "read", "audit", "none", "org_admin", false);
        long before = eventCount();
        for (WebTestClient.ResponseSpec call : List.of(
                send(HttpMethod.PUT, "/api/v1/orgs/" + org + "/roles/x", role, outsider, null),
                send(HttpMethod.POST, "/api/v1/orgs/" + org + "/members", Map.of("subject", "eve", "roles",
                        List.of("admin")), outsider, null),
                send(HttpMethod.PUT, "/api/v1/orgs/" + org + "/members/ada", Map.of("roles", List.of("viewer")),
                        outsider, null),
                send(HttpMethod.DELETE, "/api/v1/orgs/" + org + "/members/ada", null, outsider, null))) {
            assertThat(problem(call, 404).path("code").asString()).isEqualTo("organisation_not_found");
        }
        addMember(org, "dev", "developer");
        String developer = token("dev", org, "admin"); // the token says admin; the membership says developer
        assertThat(problem(send(HttpMethod.PUT, "/api/v1/orgs/" + org + "/roles/x", role, developer, null), 403)
                .path("code").asString()).isEqualTo("forbidden");
        assertThat(problem(send(HttpMethod.POST, "/api/v1/orgs/" + org + "/members", Map.of("subject", "dev2",
                "roles", List.of("admin")), developer, null), 403).path("code").asString()).isEqualTo("forbidden");
        assertThat(eventCount()).isEqualTo(before + 1);

        // an unregistered organisation: its token admins reach the aggregate, which does not exist
        String unregistered = newOrg();
        assertThat(problem(send(HttpMethod.PUT, "/api/v1/orgs/" + unregistered + "/roles/x", role,
                token("ada", unregistered, "admin"), null), 404).path("code").asString())
                .isEqualTo("organisation_not_found");
    }

    @Test
    void aRetryWithTheSameIdempotencyKeyReplaysTheAnswer() {
        String org = newOrg();
        register(org, "ada");
        String admin = token("ada", org, "admin");
        Map<String, Object> body = Map.of("subject", "bob", "roles", List.of("viewer"));
        String first = send(HttpMethod.POST, "/api/v1/orgs/" + org + "/members", body, admin, "add-bob-1")
                .expectStatus().isCreated().expectBody(String.class).returnResult().getResponseBody();
        long count = eventCount();
        String second = send(HttpMethod.POST, "/api/v1/orgs/" + org + "/members", body, admin, "add-bob-1")
                .expectStatus().isCreated().expectHeader().valueEquals("Idempotent-Replayed", "true")
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(json(second)).isEqualTo(json(first));
        assertThat(eventCount()).isEqualTo(count);
    }

    // --- role resolution ---------------------------------------------------------------------------------------

    @Test
    void inARegisteredOrganisationTheMembershipDecidesEveryPermission() {
        String org = newOrg();
        register(org, "ada");
        String admin = token("ada", org, "admin");
        // a custom role with tasks: full, held by a subject whose token only says viewer
        send(HttpMethod.PUT, "/api/v1/orgs/" + org + "/roles/publisher", Map.of("provisioning", "none", "tasks",
                "full", "audit", "none", "org_admin", false), admin, null).expectStatus().isOk();
        String carol = token("carol", org, "viewer");
        assertThat(publish(carol).returnResult(String.class).getStatus().value())
                .as("not a member yet: no permissions, whatever the token says").isEqualTo(403);
        addMember(org, "carol", "publisher");
        awaitStatus(() -> publish(carol), 201);

        // a redefined default role is honoured: developers may no longer write tasks
        addMember(org, "dan", "developer");
        String dan = token("dan", org, "developer");
        awaitStatus(() -> publish(dan), 201);
        send(HttpMethod.PUT, "/api/v1/orgs/" + org + "/roles/developer", Map.of("provisioning", "read", "tasks",
                "read", "audit", "none", "org_admin", false), admin, null).expectStatus().isOk();
        awaitStatus(() -> publish(dan), 403);

        // a removed member loses everything within about a second
        send(HttpMethod.DELETE, "/api/v1/orgs/" + org + "/members/carol", null, admin, null).expectStatus().isOk();
        long removedAt = System.nanoTime();
        awaitStatus(() -> publish(carol), 403);
        assertThat(Duration.ofNanos(System.nanoTime() - removedAt)).isLessThan(Duration.ofMillis(1500));

        // a token admin that is not a member has nothing
        assertThat(publish(token("mallory", org, "admin")).returnResult(String.class).getStatus().value())
                .isEqualTo(403);
    }

    @Test
    void anUnregisteredOrganisationKeepsTokenRolesThroughTheDefaultMatrix() {
        String org = newOrg();
        awaitStatus(() -> publish(token("dev", org, "developer")), 201);
        assertThat(publish(token("vic", org, "viewer")).returnResult(String.class).getStatus().value())
                .isEqualTo(403);
    }

    // ------------------------------------------------------------------------------------------------------------

    void register(String org, String admin) {
        send(HttpMethod.POST, "/api/v1/orgs", Map.of("org_id", org, "name", "Org " + org), token(admin, org, "admin"),
                null).expectStatus().isCreated();
    }

    void addMember(String org, String subject, String... roles) {
        String admin = jdbc.queryForObject("SELECT subject FROM organisation_access_members WHERE org_id = ? "
                + "AND roles LIKE '%\"admin\"%' ORDER BY subject LIMIT 1", String.class, org);
        send(HttpMethod.POST, "/api/v1/orgs/" + org + "/members", Map.of("subject", subject, "roles", List.of(roles)),
                token(admin, org, "admin"), null).expectStatus().isCreated();
    }

    WebTestClient.ResponseSpec publish(String token) {
        String workflowId = "wf-" + UUID.randomUUID().toString().substring(0, 8);
        return http.put().uri("/api/v1/workflows/{id}", workflowId)
                .header(InternalTokens.HEADER, token)
                .contentType(MediaType.parseMediaType("application/yaml"))
                .bodyValue(TestWorkflows.specExample().replace("workflow: tdd-default", "workflow: " + workflowId))
                .exchange();
    }

    /** Polls (every 50 ms, up to 5 s) until the call answers {@code status}. */
    static void awaitStatus(Supplier<WebTestClient.ResponseSpec> call, int status) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        int last;
        while ((last = call.get().returnResult(String.class).getStatus().value()) != status) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + status + " but the call kept answering " + last);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    WebTestClient.ResponseSpec send(HttpMethod method, String path, Object body, String token, String idempotencyKey) {
        WebTestClient.RequestBodySpec request = http.method(method).uri(path).header(InternalTokens.HEADER, token);
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return body == null ? request.exchange()
                : request.contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }

    static JsonNode problem(WebTestClient.ResponseSpec response, int status) {
        String body = response.expectStatus().isEqualTo(status)
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody(String.class).returnResult().getResponseBody();
        JsonNode problem = json(body);
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        return problem;
    }

    String memberRoles(String org, String subject) {
        List<String> roles = jdbc.queryForList("SELECT roles FROM organisation_access_members WHERE org_id = ? "
                + "AND subject = ?", String.class, org, subject);
        return roles.isEmpty() ? null : roles.get(0);
    }

    long eventCount() {
        return jdbc.queryForObject("SELECT COUNT(*) FROM " + EVENTS, Long.class);
    }

    /** Column labels as the database reports them (H2 upper-cases unquoted names). */
    abstract String key(String column);

    static JsonNode json(String body) {
        assertThat(body).isNotNull();
        return JSON.readTree(body);
    }
}
