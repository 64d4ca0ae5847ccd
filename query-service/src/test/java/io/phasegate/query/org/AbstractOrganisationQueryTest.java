package io.phasegate.query.org;

import static org.assertj.core.api.Assertions.assertThat;

import io.phasegate.events.org.AccessLevel;
import io.phasegate.events.org.MemberAddedEvent;
import io.phasegate.events.org.MemberRemovedEvent;
import io.phasegate.events.org.MemberRolesChangedEvent;
import io.phasegate.events.org.OrganisationCreatedEvent;
import io.phasegate.events.org.RoleDefinedEvent;
import io.phasegate.events.org.RolePermissions;
import io.phasegate.platform.identity.CallerIdentity;
import io.phasegate.platform.identity.InternalTokenIssuer;
import io.phasegate.platform.identity.InternalTokens;
import io.phasegate.platform.identity.JwkFiles;
import io.phasegate.platform.identity.testing.TestIdentities;
import io.phasegate.query.token.TestPhaseTokens;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventBus;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventhandling.WrappedToken;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The organisations projection against a real event store and real tables, over real HTTP: {@code GET /orgs/{id}}
 * and its member endpoint, idempotent and replay-safe rows, and query-service's permission checks resolved from the
 * projection (membership wins in registered organisations; token roles through the default matrix otherwise).
 * Events are appended through the context's event bus as command-service appends them. Subclasses choose the
 * database, a fresh one per class.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"axon.update-check.disabled=true", "axoniq.update-checker.disabled=true",
                "phasegate.storage.migrate-event-store=true", "phasegate.query.max-wait-ms=3000"})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
abstract class AbstractOrganisationQueryTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final InternalTokenIssuer ISSUER = new InternalTokenIssuer(JwkFiles.loadOrCreateSigningKey(
            TestIdentities.PUBLIC_KEYS_FILE.getParent().resolve("internal-signing.json"), "internal", false),
            Duration.ofMinutes(10), Clock.systemUTC());
    static final RolePermissions READER = new RolePermissions(AccessLevel.NONE, AccessLevel.READ, AccessLevel.NONE,
            false);
    private final Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    private final Map<String, Long> sequences = new HashMap<>();

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    EventBus eventBus;
    @Autowired
    EventProcessingConfiguration processing;

    WebTestClient http;

    /** The service verifies phase tokens with the keys of this JVM's test JWK-set server. */
    @DynamicPropertySource
    static void phaseTokenKeys(DynamicPropertyRegistry registry) {
        registry.add("phasegate.tokens.jwks-uri", () -> TestPhaseTokens.shared().jwksUri());
    }

    @BeforeEach
    void setUp() {
        http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(30)).build();
        await("the organisations processor claims its segment", () -> !processor().processingStatus().isEmpty());
    }

    static String token(String subject, String org, String... roles) {
        return ISSUER.issue(new CallerIdentity(subject, org, Set.of(roles)));
    }

    static String newOrg() {
        return "org-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** An organisation created by ada (admin), with a custom role "reader" (tasks: read). */
    long registered(String org) {
        emit(org, new OrganisationCreatedEvent(org, "Org " + org, RolePermissions.DEFAULT_ROLES, "ada", t0));
        emit(org, new MemberAddedEvent(org, "ada", List.of("admin"), "ada", t0));
        return emit(org, new RoleDefinedEvent(org, "reader", READER, "ada", t0));
    }

    @Test
    void theOrganisationIsServedToItsMembersOnly() {
        String org = newOrg();
        registered(org);
        long last = emit(org, new MemberAddedEvent(org, "bob", List.of("reader", "viewer"), "ada", t0));

        JsonNode view = json(get("/api/v1/orgs/" + org + "?min_position=" + last, token("bob", org))
                .expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody());
        assertThat(Set.copyOf(view.propertyNames())).isEqualTo(Set.of("org_id", "name", "roles", "members",
                "created_by", "created_at"));
        assertThat(view.path("org_id").asString()).isEqualTo(org);
        assertThat(view.path("name").asString()).isEqualTo("Org " + org);
        assertThat(view.path("created_by").asString()).isEqualTo("ada");
        assertThat(Instant.parse(view.path("created_at").asString())).isEqualTo(t0);
        assertThat(view.path("roles").findValuesAsString("role"))
                .containsExactly("admin", "auditor", "developer", "reader", "viewer");
        JsonNode admin = view.path("roles").get(0);
        assertThat(admin.toString()).isEqualTo(
                "{\"role\":\"admin\",\"provisioning\":\"full\",\"tasks\":\"full\",\"audit\":\"read\",\"org_admin\":true}");
        assertThat(view.path("roles").get(3).toString()).isEqualTo(
                "{\"role\":\"reader\",\"provisioning\":\"none\",\"tasks\":\"read\",\"audit\":\"none\",\"org_admin\":false}");
        assertThat(view.path("members").toString()).isEqualTo("[{\"org_id\":\"" + org
                + "\",\"subject\":\"ada\",\"roles\":[\"admin\"]},{\"org_id\":\"" + org
                + "\",\"subject\":\"bob\",\"roles\":[\"reader\",\"viewer\"]}]");

        get("/api/v1/orgs/" + org + "/members/bob", token("ada", org, "admin")).expectStatus().isOk()
                .expectBody().jsonPath("$.roles[0]").isEqualTo("reader");
        assertThat(problem(get("/api/v1/orgs/" + org + "/members/nobody", token("ada", org)), 404)
                .path("code").asString()).isEqualTo("member_not_found");
        // another organisation's caller: 404, also for an admin
        assertThat(problem(get("/api/v1/orgs/" + org, token("eve", "elsewhere", "admin")), 404)
                .path("code").asString()).isEqualTo("organisation_not_found");
        // not a member: no role in the organisation, whatever the token says
        assertThat(problem(get("/api/v1/orgs/" + org, token("mallory", org, "admin")), 403)
                .path("code").asString()).isEqualTo("forbidden");
        // an unregistered organisation
        String unregistered = newOrg();
        assertThat(problem(get("/api/v1/orgs/" + unregistered, token("ada", unregistered, "admin")), 404)
                .path("code").asString()).isEqualTo("organisation_not_found");
    }

    @Test
    void permissionChecksUseTheMembershipInRegisteredOrganisations() {
        String org = newOrg();
        registered(org);
        String bob = token("bob", org); // a token without roles: only the membership can let bob read
        assertThat(status(get("/api/v1/workflows", bob))).isEqualTo(403);
        emit(org, new MemberAddedEvent(org, "bob", List.of("reader"), "ada", t0));
        awaitStatus("/api/v1/workflows", bob, 200);
        // the default matrix says developer may read tasks; this organisation's member "carol" holds viewer only
        // and the viewer role is redefined to nothing
        emit(org, new MemberAddedEvent(org, "carol", List.of("viewer"), "ada", t0));
        String carol = token("carol", org, "developer");
        awaitStatus("/api/v1/workflows", carol, 200);
        emit(org, new RoleDefinedEvent(org, "viewer", new RolePermissions(AccessLevel.NONE, AccessLevel.NONE,
                AccessLevel.NONE, false), "ada", t0));
        awaitStatus("/api/v1/workflows", carol, 403);
        // roles changed, then removed
        emit(org, new MemberRolesChangedEvent(org, "carol", List.of("reader"), List.of("viewer"), "ada", t0));
        awaitStatus("/api/v1/workflows", carol, 200);
        emit(org, new MemberRemovedEvent(org, "bob", "ada", t0));
        long removedAt = System.nanoTime();
        awaitStatus("/api/v1/workflows", bob, 403);
        assertThat(Duration.ofNanos(System.nanoTime() - removedAt)).isLessThan(Duration.ofMillis(1500));
        assertThat(status(get("/api/v1/workflows", token("mallory", org, "admin")))).isEqualTo(403);
    }

    @Test
    void anUnregisteredOrganisationKeepsTokenRoles() {
        String org = newOrg();
        assertThat(status(get("/api/v1/workflows", token("vic", org, "viewer")))).isEqualTo(200);
        assertThat(status(get("/api/v1/workflows", token("nobody", org, "superuser")))).isEqualTo(403);
        assertThat(status(get("/api/v1/audit", token("dev", org, "developer")))).isEqualTo(403);
    }

    @Test
    void rowsAreIdempotentAndARebuildRestoresThem() {
        String org = newOrg();
        registered(org);
        emit(org, new MemberAddedEvent(org, "bob", List.of("viewer"), "ada", t0));
        long last = emit(org, new MemberRolesChangedEvent(org, "bob", List.of("reader"), List.of("viewer"), "ada", t0));
        awaitCaughtUp(last);
        List<Map<String, Object>> before = rows(org);
        assertThat(before).hasSize(1 + 5 + 2);

        // handling the same events again (as after a crash before the token was stored) changes nothing
        OrganisationProjection projection = new OrganisationProjection(jdbc, JSON);
        DefaultUnitOfWork.startAndGet(null).execute(() -> {
            projection.on(new OrganisationCreatedEvent(org, "Org " + org, RolePermissions.DEFAULT_ROLES, "ada", t0),
                    null);
            projection.on(new RoleDefinedEvent(org, "reader", READER, "ada", t0), null);
            projection.on(new MemberRolesChangedEvent(org, "bob", List.of("reader"), List.of("viewer"), "ada", t0),
                    null);
        });
        assertThat(withoutPositions(rows(org))).isEqualTo(withoutPositions(before));

        // damage, then rebuild from the start
        jdbc.update("DELETE FROM organisation_members WHERE org_id = ? AND subject = 'ada'", org);
        jdbc.update("UPDATE organisation_roles SET tasks = 'full' WHERE org_id = ? AND role = 'reader'", org);
        assertThat(rows(org)).isNotEqualTo(before);
        StreamingEventProcessor processor = processor();
        processor.shutDown();
        processor.resetTokens();
        processor.start();
        awaitCaughtUp(last);
        assertThat(rows(org)).isEqualTo(before);
    }

    // ------------------------------------------------------------------------------------------------------------

    long emit(String org, Object event) {
        long sequence = sequences.merge(org, 1L, Long::sum) - 1;
        DefaultUnitOfWork.startAndGet(null).execute(() -> eventBus.publish(
                new GenericDomainEventMessage<>("Organisation", org, sequence, event)));
        return jdbc.queryForObject("SELECT global_index FROM eventstore.domain_event_entry"
                + " WHERE aggregate_identifier = ? AND sequence_number = ?", Long.class, org, sequence);
    }

    List<Map<String, Object>> rows(String org) {
        List<Map<String, Object>> rows = new java.util.ArrayList<>();
        rows.addAll(jdbc.queryForList("SELECT org_id, name, created_by, created_at, position FROM organisations "
                + "WHERE org_id = ?", org));
        rows.addAll(jdbc.queryForList("SELECT * FROM organisation_roles WHERE org_id = ? ORDER BY role", org));
        rows.addAll(jdbc.queryForList("SELECT * FROM organisation_members WHERE org_id = ? ORDER BY subject", org));
        return rows.stream().map(row -> {
            Map<String, Object> plain = new java.util.TreeMap<>();
            row.forEach((k, v) -> plain.put(k.toLowerCase(), v instanceof java.sql.Timestamp ts ? ts.toInstant()
                    : v instanceof java.time.OffsetDateTime odt ? odt.toInstant() : v));
            return plain;
        }).toList();
    }

    static List<Map<String, Object>> withoutPositions(List<Map<String, Object>> rows) {
        return rows.stream().map(row -> {
            Map<String, Object> copy = new java.util.TreeMap<>(row);
            copy.remove("position");
            return copy;
        }).toList();
    }

    StreamingEventProcessor processor() {
        return processing.eventProcessor(OrganisationProjection.GROUP, StreamingEventProcessor.class)
                .orElseThrow(() -> new AssertionError("no streaming processor " + OrganisationProjection.GROUP));
    }

    void awaitCaughtUp(long position) {
        await("organisations processed " + position, () -> {
            StreamingEventProcessor processor = processor();
            Map<Integer, EventTrackerStatus> statuses = processor.processingStatus();
            if (!processor.isRunning() || statuses.isEmpty()) {
                return false;
            }
            for (EventTrackerStatus status : statuses.values()) {
                TrackingToken lower = WrappedToken.unwrapLowerBound(status.getTrackingToken());
                if (status.isErrorState() || lower == null || lower.position().orElse(-1L) < position) {
                    return false;
                }
            }
            return true;
        });
    }

    void awaitStatus(String path, String token, int expected) {
        await(path + " answers " + expected, () -> status(get(path, token)) == expected);
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out waiting until " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    WebTestClient.ResponseSpec get(String path, String token) {
        return http.get().uri(path).header(InternalTokens.HEADER, token).exchange();
    }

    static int status(WebTestClient.ResponseSpec response) {
        return response.returnResult(String.class).getStatus().value();
    }

    static JsonNode problem(WebTestClient.ResponseSpec response, int status) {
        JsonNode problem = json(response.expectStatus().isEqualTo(status).expectBody(String.class).returnResult()
                .getResponseBody());
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        return problem;
    }

    static JsonNode json(String body) {
        assertThat(body).isNotNull();
        return JSON.readTree(body);
    }
}
