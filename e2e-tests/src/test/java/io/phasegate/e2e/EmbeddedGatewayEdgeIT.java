package io.phasegate.e2e;

import static io.phasegate.e2e.E2eSupport.assertProblem;
import static io.phasegate.e2e.E2eSupport.shortId;
import static io.phasegate.e2e.E2eSupport.texts;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * The gateway's edge (issue 6): JWT attacks on user and phase tokens, rate limits per organisation and per agent,
 * the request body limit and CORS.
 * Storage does not matter here, so only the embedded mode runs; the limits are set low for the test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbeddedGatewayEdgeIT {

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

    // ------------------------------------------------------------------------------------------------
    // JWT attacks (RFC 8725): each answered 401, with no side effect

    @Test
    void userTokenAttacksAreUnauthenticatedAndWriteNothing() throws Exception {
        ECKey dev = system.devIssuerKey();
        ECKey attacker = new ECKeyGenerator(Curve.P_256).keyID(dev.getKeyID()).generate();
        Map<String, String> attacks = new LinkedHashMap<>();
        for (String none : List.of("none", "None", "NONE", "nOnE")) {
            attacks.put("alg " + none, unsigned(none, userClaims().build()));
        }
        attacks.put("HS256 keyed with the public key", hmacWithPublicKey(dev, userClaims().build()));
        attacks.put("ES384 (not allowed)", sign(new ECKeyGenerator(Curve.P_384).keyID(dev.getKeyID()).generate(),
                JWSAlgorithm.ES384, header(JWSAlgorithm.ES384, dev.getKeyID()), userClaims().build()));
        attacks.put("RS256 (not allowed)", sign(new RSAKeyGenerator(2048).keyID(dev.getKeyID()).generate(),
                JWSAlgorithm.RS256, header(JWSAlgorithm.RS256, dev.getKeyID()), userClaims().build()));
        attacks.put("kid path injection", sign(attacker, JWSAlgorithm.ES256,
                header(JWSAlgorithm.ES256, "../../../../etc/passwd"), userClaims().build()));
        attacks.put("kid SQL injection", sign(attacker, JWSAlgorithm.ES256,
                header(JWSAlgorithm.ES256, "x' OR '1'='1"), userClaims().build()));
        attacks.put("unknown kid", sign(attacker, JWSAlgorithm.ES256, header(JWSAlgorithm.ES256, "kid-" + shortId()),
                userClaims().build()));
        attacks.put("same kid, attacker's key", sign(attacker, JWSAlgorithm.ES256,
                header(JWSAlgorithm.ES256, dev.getKeyID()), userClaims().build()));
        attacks.put("embedded jwk", sign(attacker, JWSAlgorithm.ES256, new JWSHeader.Builder(JWSAlgorithm.ES256)
                .type(JOSEObjectType.JWT).keyID(dev.getKeyID()).jwk(attacker.toPublicJWK()).build(), userClaims().build()));
        attacks.put("jku", sign(attacker, JWSAlgorithm.ES256, new JWSHeader.Builder(JWSAlgorithm.ES256)
                .type(JOSEObjectType.JWT).keyID(dev.getKeyID()).jwkURL(URI.create("http://127.0.0.1:1/jwks.json"))
                .build(), userClaims().build()));
        Instant now = Instant.now();
        attacks.put("expired", sign(dev, userClaims().issueTime(Date.from(now.minusSeconds(7200)))
                .notBeforeTime(Date.from(now.minusSeconds(7200))).expirationTime(Date.from(now.minusSeconds(3600)))
                .build()));
        attacks.put("nbf in the future", sign(dev, userClaims().notBeforeTime(Date.from(now.plusSeconds(3600)))
                .build()));
        attacks.put("no exp", sign(dev, userClaims().expirationTime(null).build()));
        attacks.put("wrong iss", sign(dev, userClaims().issuer("https://evil.example").build()));
        attacks.put("wrong aud", sign(dev, userClaims().audience("someone-else").build()));
        attacks.put("phase token as user token", system.mintPhaseToken("agent-1", "task-1", "PLAN", 1, now,
                now.plusSeconds(600)));
        String valid = sign(dev, userClaims().build());
        attacks.put("truncated signature", valid.substring(0, valid.length() - 10));
        attacks.put("oversized", sign(dev, userClaims().claim("padding", "p".repeat(6000)).build()));

        assertThat(http.get(api("/workflows")).bearer(valid).send().status()).as("the control").isEqualTo(200);
        long before = system.countEvents();
        attacks.forEach((name, token) -> {
            assertProblem(http.get(api("/workflows")).bearer(token).send(), 401, "unauthenticated");
            Http.Response write = http.post(api("/tasks")).bearer(token)
                    .json(Map.of("title", name, "workflow_id", "w")).send();
            assertThat(write.status()).as(name + ": " + write).isEqualTo(401);
        });
        assertThat(system.countEvents()).isEqualTo(before);
    }

    @Test
    void phaseTokenAttacksAreUnauthorisedAndWriteNothing() throws Exception {
        ECKey real = system.phaseTokenKey();
        ECKey attacker = new ECKeyGenerator(Curve.P_256).keyID(real.getKeyID()).generate();
        Map<String, String> attacks = new LinkedHashMap<>();
        attacks.put("alg none", unsigned("none", phaseClaims().build()));
        attacks.put("HS256 keyed with the public key", hmacWithPublicKey(real, phaseClaims().build()));
        attacks.put("attacker's key, real kid", sign(attacker, JWSAlgorithm.ES256,
                phaseHeader(real.getKeyID()).build(), phaseClaims().build()));
        attacks.put("embedded jwk", sign(attacker, JWSAlgorithm.ES256,
                phaseHeader(real.getKeyID()).jwk(attacker.toPublicJWK()).build(), phaseClaims().build()));
        attacks.put("kid injection", sign(attacker, JWSAlgorithm.ES256, phaseHeader("../keys/x").build(),
                phaseClaims().build()));
        attacks.put("typ JWT (a user token shape)", sign(real, JWSAlgorithm.ES256,
                header(JWSAlgorithm.ES256, real.getKeyID()), phaseClaims().build()));
        attacks.put("user token as phase token", system.developerToken());
        attacks.put("wrong audience", sign(real, JWSAlgorithm.ES256, phaseHeader(real.getKeyID()).build(),
                phaseClaims().audience("phasegate").build()));
        attacks.put("expired", sign(real, JWSAlgorithm.ES256, phaseHeader(real.getKeyID()).build(),
                phaseClaims().expirationTime(Date.from(Instant.now().minusSeconds(60))).build()));

        long before = system.countEvents();
        for (Map.Entry<String, String> attack : attacks.entrySet()) {
            Http.Response response = http.post(api("/tools/execute")).json(Map.of("phase_token", attack.getValue(),
                    "tool_name", "read_file", "args", Map.of())).send();
            assertThat(response.status()).as(attack.getKey() + ": " + response).isEqualTo(401);
            assertProblem(response, 401, "invalid_phase_token");
            assertProblem(http.get(api("/state/snapshot")).bearer(attack.getValue()).send(), 401, null);
        }
        assertThat(system.countEvents()).isEqualTo(before);
    }

    private static JWTClaimsSet.Builder userClaims() {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().issuer("phasegate-dev-issuer").audience("phasegate")
                .subject("attacker-" + shortId()).claim("org", PhasegateSystem.DEMO_ORG).claim("roles", List.of("admin"))
                .issueTime(Date.from(now)).notBeforeTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(600)))
                .jwtID(UUID.randomUUID().toString());
    }

    private static JWTClaimsSet.Builder phaseClaims() {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().issuer("phasegate-command").audience("phasegate-agents")
                .subject("attacker-" + shortId()).claim("task_id", "task-" + shortId()).claim("phase", "PLAN")
                .claim("gen", 1).issueTime(Date.from(now)).notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(600))).jwtID(UUID.randomUUID().toString());
    }

    private static JWSHeader header(JWSAlgorithm alg, String kid) {
        return new JWSHeader.Builder(alg).type(JOSEObjectType.JWT).keyID(kid).build();
    }

    private static JWSHeader.Builder phaseHeader(String kid) {
        return new JWSHeader.Builder(JWSAlgorithm.ES256).type(new JOSEObjectType("phase+jwt")).keyID(kid);
    }

    private static String sign(ECKey key, JWTClaimsSet claims) throws Exception {
        return sign(key, JWSAlgorithm.ES256, header(JWSAlgorithm.ES256, key.getKeyID()), claims);
    }

    private static String sign(JWK key, JWSAlgorithm alg, JWSHeader header, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(header, claims);
        jwt.sign(key instanceof RSAKey rsa ? new RSASSASigner(rsa) : new ECDSASigner((ECKey) key));
        return jwt.serialize();
    }

    private static String unsigned(String alg, JWTClaimsSet claims) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString(("{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}").getBytes(StandardCharsets.UTF_8));
        return header + "." + b64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8)) + ".";
    }

    /** The classic algorithm confusion: HS256 with the verifier's public key as the HMAC secret. */
    private static String hmacWithPublicKey(ECKey key, JWTClaimsSet claims) throws Exception {
        byte[] secret = key.toPublicJWK().toECPublicKey().getEncoded();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT)
                .keyID(key.getKeyID()).build(), claims);
        jwt.sign(new MACSigner(secret));
        return jwt.serialize();
    }

    // ------------------------------------------------------------------------------------------------
    // OpenAPI

    @Test
    void theApiDocumentsAreServedThroughTheGateway() {
        Http.Response command = http.get(system.gatewayUrl() + "/api-docs/command").send();
        assertThat(command.status()).as(command.toString()).isEqualTo(200);
        JsonNode paths = command.json().path("paths");
        for (String path : List.of("/api/v1/tasks/claim", "/api/v1/tasks/transition", "/api/v1/tools/execute",
                "/api/v1/tokens/refresh", "/api/v1/tasks/heartbeat", "/api/v1/tasks/release", "/api/v1/tasks",
                "/api/v1/workflows/{workflowId}")) {
            assertThat(paths.has(path)).as(path + " documented").isTrue();
        }
        JsonNode transition = command.json().path("components").path("schemas").path("TransitionRequest");
        assertThat(transition.path("properties").has("current_phase")).as("snake_case as on the wire").isTrue();
        // the caller's identity comes from the gateway's internal token, never from query or header parameters
        // (path variables such as /orgs/{orgId}/members/{subject} name the target resource, checked against it)
        paths.forEach(operations -> operations.forEach(operation -> operation.path("parameters").forEach(parameter -> {
            if (!"path".equals(parameter.path("in").asString())) {
                assertThat(parameter.path("name").asString()).isNotIn("subject", "orgId", "org_id", "roles");
            }
        })));

        Http.Response query = http.get(system.gatewayUrl() + "/api-docs/query").send();
        assertThat(query.status()).as(query.toString()).isEqualTo(200);
        assertThat(query.json().path("info").path("title").asString()).isEqualTo("Phasegate query API");
        JsonNode queryPaths = query.json().path("paths");
        for (String path : List.of("/api/v1/state/snapshot", "/api/v1/tasks/{taskId}", "/api/v1/audit/verify",
                "/api/v1/streams/tasks", "/api/v1/history/events", "/api/v1/tool-calls")) {
            assertThat(queryPaths.has(path)).as(path + " documented").isTrue();
        }
        assertThat(command.json().path("info").path("title").asString()).isEqualTo("Phasegate command API");

        Http.Response config = http.get(system.gatewayUrl() + "/api-docs/gateway/swagger-config").send();
        assertThat(config.status()).isEqualTo(200);
        assertThat(texts(config.json().path("urls"), "url")).contains("/api-docs/command", "/api-docs/query");
    }

    // ------------------------------------------------------------------------------------------------
    // Limits

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
                Instant.now(), Instant.now().plusSeconds(600));
        String calm = system.mintPhaseToken("agent-calm-" + shortId(), "task-y", "PLAN", 1,
                Instant.now(), Instant.now().plusSeconds(600));
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
