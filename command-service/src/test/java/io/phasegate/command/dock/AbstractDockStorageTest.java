package io.phasegate.command.dock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.phasegate.command.adapter.DockConnection;
import io.phasegate.command.adapter.DockConnections;
import io.phasegate.command.crypto.DataKeyShreddedException;
import io.phasegate.command.crypto.EnvelopeEncryption;
import io.phasegate.events.dock.EncryptedCredential;
import io.phasegate.platform.identity.InternalTokens;
import java.nio.charset.StandardCharsets;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Docks against real storage and real HTTP: registration, a successful rotation whose previous version is retired by
 * the durable deadline, a failed and a timed-out rotation, master-key rotation and rewrap, deletion with
 * crypto-shredding — and a scan of every table of the database (and the log output) for the planted credentials.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"axon.update-check.disabled=true", "axoniq.update-checker.disabled=true",
                "phasegate.admin.operator-org=acme", "phasegate.credentials.validation-timeout=PT2S"})
@Import(AbstractDockStorageTest.Adapters.class)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
abstract class AbstractDockStorageTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String EVENTS = "eventstore.domain_event_entry";

    @TestConfiguration(proxyBeanMethods = false)
    static class Adapters {
        @Bean
        TestDockAdapter testDockAdapter() {
            return new TestDockAdapter();
        }
    }

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    DataSource dataSource;
    @Autowired
    EnvelopeEncryption encryption;
    @Autowired
    DockConnectionService connections;

    WebTestClient http;

    @BeforeEach
    void client() {
        http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(30)).build();
    }

    @Test
    void plantedCredentialsAreNeverStoredAndDeletionShredsTheDock(CapturedOutput output) throws Exception {
        String token = UUID.randomUUID().toString().replace("-", "");
        String initial = "good-PLANTED1-" + token;
        String rotated = "good-PLANTED2-" + token;
        String rejected = "bad-PLANTED3-" + token;
        String slow = "slow-PLANTED4-" + token;
        List<String> planted = List.of(initial, rotated, rejected, slow, "PLANTED-SECRET-" + token);
        String dockId = "dock-" + token.substring(0, 12);
        List<String> responses = new ArrayList<>();

        // register
        JsonNode created = json(responses, post("/api/v1/docks", DockIdentities.admin("acme"), Map.of(
                "dock_id", dockId, "name", "Main", "provider", TestDockAdapter.PROVIDER,
                "settings", Map.of("region", "eu"),
                "credentials", Map.of("api_key", initial, "secret", "PLANTED-SECRET-" + token)))
                .expectStatus().isCreated()
                .expectHeader().valueEquals("Location", "/api/v1/docks/" + dockId)
                .expectBody(String.class).returnResult().getResponseBody());
        assertThat(created.path("dock_id").asString()).isEqualTo(dockId);
        assertThat(created.path("credential_version").asInt()).isEqualTo(1);
        long registeredAt = created.path("position").asLong();
        assertThat(registeredAt).isEqualTo(lastPositionOf(dockId));

        // the connection opens with the registered credentials, and the decryption is an event
        DockConnection opened = connections.open("acme", dockId, "tester", "provision", "op-1");
        assertThat(opened.credentials()).containsEntry("api_key", initial);
        assertThat(opened.credentialVersion()).isEqualTo(1);
        assertThat(opened.toString()).doesNotContain(initial);
        assertThat(connections.find("other", dockId)).isEmpty();
        assertThat(connections.find("acme", dockId)).contains(
                new DockConnections.DockInfo(dockId, "acme", TestDockAdapter.PROVIDER, 1));
        assertThatThrownBy(() -> connections.open("other", dockId, "tester", "provision", "op-x"))
                .isInstanceOf(DockConnections.DockUnavailableException.class);

        // another organisation's dock is unknown
        json(responses, post("/api/v1/docks/" + dockId + "/credentials/rotate", DockIdentities.admin("other"),
                Map.of("credentials", Map.of("api_key", rotated))).expectStatus().isNotFound()
                .expectBody(String.class).returnResult().getResponseBody());

        // a successful rotation; the previous version is retired by the durable deadline after 2 s
        JsonNode rotation = json(responses, post("/api/v1/docks/" + dockId + "/credentials/rotate",
                DockIdentities.admin("acme"), Map.of("credentials", Map.of("api_key", rotated),
                        "grace_period_seconds", 2))
                .expectStatus().isAccepted().expectBody(String.class).returnResult().getResponseBody());
        assertThat(rotation.path("candidate_version").asInt()).isEqualTo(2);
        assertThat(rotation.path("rotation_id").asString()).isNotBlank();
        assertThat(rotation.path("position").asLong()).isGreaterThan(registeredAt);
        awaitEvent(dockId, "CredentialRotatedEvent", 1);
        awaitEvent(dockId, "CredentialRetiredEvent", 1);
        assertThat(connections.find("acme", dockId).orElseThrow().credentialVersion()).isEqualTo(2);

        // a rejected rotation: the current version stays current
        post("/api/v1/docks/" + dockId + "/credentials/rotate", DockIdentities.admin("acme"),
                Map.of("credentials", Map.of("api_key", rejected))).expectStatus().isAccepted();
        JsonNode failed = payload(awaitEvent(dockId, "CredentialRotationFailedEvent", 1));
        assertThat(failed.path("rejectedVersion").asInt()).isEqualTo(3);
        assertThat(failed.path("currentVersion").asInt()).isEqualTo(2);
        assertThat(failed.path("reason").asString()).contains("invalid_credentials").contains("[redacted]");

        // a rotation whose validation times out; a second one meanwhile is a conflict
        post("/api/v1/docks/" + dockId + "/credentials/rotate", DockIdentities.admin("acme"),
                Map.of("credentials", Map.of("api_key", slow))).expectStatus().isAccepted();
        JsonNode conflict = json(responses, post("/api/v1/docks/" + dockId + "/credentials/rotate",
                DockIdentities.admin("acme"), Map.of("credentials", Map.of("api_key", rotated)))
                .expectStatus().isEqualTo(409).expectBody(String.class).returnResult().getResponseBody());
        assertThat(conflict.path("code").asString()).isEqualTo("rotation_in_progress");
        JsonNode timedOut = payload(awaitEvent(dockId, "CredentialRotationFailedEvent", 2));
        assertThat(timedOut.path("reason").asString()).contains("timeout");
        assertThat(connections.open("acme", dockId, "tester", "provision", "op-2").credentials())
                .containsEntry("api_key", rotated);

        // every decryption was recorded: two by the test, one validation per rotation
        List<JsonNode> decryptions = payloads(dockId, "DockCredentialDecryptedEvent");
        assertThat(decryptions).extracting(e -> e.path("purpose").asString())
                .containsExactlyInAnyOrder("provision", "validate", "validate", "validate", "provision");
        assertThat(decryptions).filteredOn(e -> e.path("purpose").asString().equals("validate"))
                .extracting(e -> e.path("actor").asString()).containsOnly(CredentialRotationSaga.ACTOR);

        // master key rotation and rewrap, online: the dock's credentials stay readable
        JsonNode masterRotation = json(responses, http.post().uri("/api/v1/admin/master-keys/rotate")
                .header(InternalTokens.HEADER, DockIdentities.admin("acme")).exchange()
                .expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody());
        assertThat(masterRotation.path("master_key_version").asInt()).isEqualTo(2);
        assertThat(masterRotation.path("rewrapped").asInt()).isPositive();
        assertThat(masterRotation.path("failed").asInt()).isZero();
        assertThat(jdbc.queryForObject("SELECT master_key_version FROM dock_data_keys WHERE dock_id = ?",
                Integer.class, dockId)).isEqualTo(2);
        JsonNode rewrap = json(responses, http.post().uri("/api/v1/admin/master-keys/rewrap")
                .header(InternalTokens.HEADER, DockIdentities.admin("acme")).exchange()
                .expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody());
        assertThat(rewrap.path("rewrapped").asInt()).isZero();
        assertThat(rewrap.path("already_current").asInt()).isPositive();
        for (String caller : List.of(DockIdentities.developer("acme"), DockIdentities.admin("other"))) {
            http.post().uri("/api/v1/admin/master-keys/rotate").header(InternalTokens.HEADER, caller).exchange()
                    .expectStatus().isForbidden();
        }
        JsonNode registered = payload(rowsOf(dockId, "DockRegisteredEvent").get(0));
        EncryptedCredential first = JSON.treeToValue(registered.path("credential"), EncryptedCredential.class);
        assertThat(encryption.decrypt(first, "acme", dockId).values()).containsEntry("api_key", initial);

        // delete: another organisation cannot; the owner can, once
        http.delete().uri("/api/v1/docks/" + dockId).header(InternalTokens.HEADER, DockIdentities.admin("other"))
                .exchange().expectStatus().isNotFound();
        JsonNode deleted = json(responses, http.delete().uri("/api/v1/docks/" + dockId)
                .header(InternalTokens.HEADER, DockIdentities.admin("acme")).exchange()
                .expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody());
        assertThat(deleted.path("dock_id").asString()).isEqualTo(dockId);
        assertThat(deleted.path("position").asLong()).isEqualTo(lastPositionOf(dockId));
        http.delete().uri("/api/v1/docks/" + dockId).header(InternalTokens.HEADER, DockIdentities.admin("acme"))
                .exchange().expectStatus().isNotFound();

        // crypto-shredding: the ciphertext in the event store can no longer be decrypted
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM dock_data_keys WHERE dock_id = ? AND wrapped_key IS NULL"
                + " AND destroyed_at IS NOT NULL", Long.class, dockId)).isEqualTo(1L);
        assertThatThrownBy(() -> encryption.decrypt(first, "acme", dockId))
                .isInstanceOf(DataKeyShreddedException.class);
        assertThatThrownBy(() -> connections.open("acme", dockId, "tester", "provision", "op-3"))
                .isInstanceOf(DockConnections.DockUnavailableException.class);

        // the planted credentials appear nowhere: not in any table, response or log line
        assertThat(rowsOf(dockId, null)).isNotEmpty();
        Map<String, Integer> hits = scanDatabase(planted);
        assertThat(hits).isEmpty();
        for (String response : responses) {
            for (String secret : planted) {
                assertThat(response).doesNotContain(secret);
            }
        }
        for (String secret : planted) {
            assertThat(output.getAll()).doesNotContain(secret);
        }
    }

    @Test
    void requestsAreValidatedAuthorisedAndScopedAndWriteNothingWhenRefused() {
        String secret = "bad-PLANTED-" + UUID.randomUUID();
        long events = eventCount();
        Map<String, Object> valid = new LinkedHashMap<>(Map.of("name", "Main", "provider", TestDockAdapter.PROVIDER,
                "credentials", Map.of("api_key", "good-" + UUID.randomUUID())));

        // developers may read provisioning, not change it
        problem(post("/api/v1/docks", DockIdentities.developer("acme"), valid), 403, "forbidden", secret);
        // unknown fields, missing credentials, bad names
        Map<String, Object> unknownField = new LinkedHashMap<>(valid);
        unknownField.put("colour", "blue");
        assertThat(post("/api/v1/docks", DockIdentities.admin("acme"), unknownField).expectStatus().isBadRequest()
                .expectBody(String.class).returnResult().getResponseBody()).doesNotContain("good-");
        Map<String, Object> noCredentials = new LinkedHashMap<>(valid);
        noCredentials.remove("credentials");
        JsonNode missing = problem(post("/api/v1/docks", DockIdentities.admin("acme"), noCredentials), 400,
                "validation_failed", secret);
        assertThat(missing.path("problems").toString()).contains("credentials");
        // unknown provider
        Map<String, Object> unknownProvider = new LinkedHashMap<>(valid);
        unknownProvider.put("provider", "nowhere-cloud");
        problem(post("/api/v1/docks", DockIdentities.admin("acme"), unknownProvider), 422, "unknown_provider", secret);
        // credentials the provider rejects (the adapter echoes the key: the answer must not)
        Map<String, Object> rejected = new LinkedHashMap<>(valid);
        rejected.put("credentials", Map.of("api_key", secret));
        JsonNode rejection = problem(post("/api/v1/docks", DockIdentities.admin("acme"), rejected), 422,
                "credentials_rejected", secret);
        assertThat(rejection.path("adapter_code").asString()).isEqualTo("invalid_credentials");
        // settings the provider refuses
        Map<String, Object> badSettings = new LinkedHashMap<>(valid);
        badSettings.put("settings", Map.of("region", "nowhere"));
        problem(post("/api/v1/docks", DockIdentities.admin("acme"), badSettings), 422, "invalid_settings", secret);
        // unknown docks
        problem(post("/api/v1/docks/no-such-dock/credentials/rotate", DockIdentities.admin("acme"),
                Map.of("credentials", Map.of("api_key", secret))), 404, "dock_not_found", secret);
        problem(http.delete().uri("/api/v1/docks/no-such-dock")
                .header(InternalTokens.HEADER, DockIdentities.admin("acme")).exchange(), 404, "dock_not_found", secret);
        problem(post("/api/v1/docks/x/credentials/rotate", DockIdentities.admin("acme"),
                Map.of("credentials", Map.of("api_key", "good-1"), "grace_period_seconds", -5)), 400,
                "validation_failed", secret);
        assertThat(eventCount()).isEqualTo(events);
        assertThat(scanDatabase(List.of(secret))).isEmpty();

        // an id is generated when absent; a keyed retry replays the first answer and writes nothing
        String key = "dock-key-" + UUID.randomUUID();
        JsonNode first = JSON.readTree(post("/api/v1/docks", DockIdentities.admin("acme"), valid, key)
                .expectStatus().isCreated().expectBody(String.class).returnResult().getResponseBody());
        assertThat(first.path("dock_id").asString()).isNotBlank();
        long after = eventCount();
        JsonNode again = JSON.readTree(post("/api/v1/docks", DockIdentities.admin("acme"), valid, key)
                .expectStatus().isCreated().expectHeader().valueEquals("Idempotent-Replayed", "true")
                .expectBody(String.class).returnResult().getResponseBody());
        assertThat(again).isEqualTo(first);
        assertThat(eventCount()).isEqualTo(after);
        // the same dock id again is a conflict, also for another organisation, and writes nothing
        Map<String, Object> sameId = new LinkedHashMap<>(valid);
        sameId.put("dock_id", first.path("dock_id").asString());
        problem(post("/api/v1/docks", DockIdentities.admin("other"), sameId), 409, "dock_id_taken", secret);
        assertThat(eventCount()).isEqualTo(after);
        // the request's toString shows no credential
        assertThat(new io.phasegate.command.web.DockRequestsAccess().registerRequestToString(secret))
                .doesNotContain(secret);
    }

    // ------------------------------------------------------------------------------------------------------------

    WebTestClient.ResponseSpec post(String path, String token, Object body) {
        return post(path, token, body, null);
    }

    WebTestClient.ResponseSpec post(String path, String token, Object body, String key) {
        WebTestClient.RequestBodySpec request = http.post().uri(path).header(InternalTokens.HEADER, token)
                .contentType(MediaType.APPLICATION_JSON);
        if (key != null) {
            request.header("Idempotency-Key", key);
        }
        return request.bodyValue(body).exchange();
    }

    static JsonNode problem(WebTestClient.ResponseSpec response, int status, String code, String secret) {
        String body = response.expectStatus().isEqualTo(status)
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(body).doesNotContain(secret);
        JsonNode problem = JSON.readTree(body);
        assertThat(problem.path("code").asString()).isEqualTo(code);
        return problem;
    }

    static JsonNode json(List<String> responses, String body) {
        responses.add(body);
        return JSON.readTree(body);
    }

    long eventCount() {
        return jdbc.queryForObject("SELECT COUNT(*) FROM " + EVENTS, Long.class);
    }

    long lastPositionOf(String aggregateId) {
        return jdbc.queryForObject("SELECT MAX(global_index) FROM " + EVENTS + " WHERE aggregate_identifier = ?",
                Long.class, aggregateId);
    }

    List<Map<String, Object>> rowsOf(String aggregateId, String eventType) {
        return jdbc.queryForList("SELECT global_index, payload_type, payload FROM " + EVENTS
                + " WHERE aggregate_identifier = ? ORDER BY sequence_number", aggregateId).stream()
                .filter(row -> eventType == null || ((String) row.get("payload_type")).endsWith("." + eventType))
                .toList();
    }

    List<JsonNode> payloads(String aggregateId, String eventType) {
        return rowsOf(aggregateId, eventType).stream().map(AbstractDockStorageTest::payload).toList();
    }

    Map<String, Object> awaitEvent(String aggregateId, String eventType, int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        List<Map<String, Object>> rows = rowsOf(aggregateId, eventType);
        while (rows.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(100);
            rows = rowsOf(aggregateId, eventType);
        }
        assertThat(rows).as("%s events of %s", eventType, aggregateId).hasSizeGreaterThanOrEqualTo(count);
        return rows.get(count - 1);
    }

    static JsonNode payload(Map<String, Object> row) {
        return JSON.readTree(new String((byte[]) row.get("payload"), StandardCharsets.UTF_8));
    }

    /** Every table of the service and event store schemas, every value as text: where each secret occurs. */
    Map<String, Integer> scanDatabase(List<String> secrets) {
        Map<String, Integer> hits = new LinkedHashMap<>();
        List<String> tables = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            DatabaseMetaData meta = connection.getMetaData();
            try (ResultSet rs = meta.getTables(null, null, "%", new String[]{"TABLE"})) {
                while (rs.next()) {
                    String schema = rs.getString("TABLE_SCHEM");
                    if (schema != null && (schema.equalsIgnoreCase("command") || schema.equalsIgnoreCase("eventstore"))) {
                        tables.add(schema + "." + rs.getString("TABLE_NAME"));
                    }
                }
            }
            assertThat(tables).as("tables scanned").hasSizeGreaterThanOrEqualTo(8);
            for (String table : tables) {
                String[] parts = table.split("\\.");
                try (var statement = connection.createStatement();
                     ResultSet rs = statement.executeQuery("SELECT * FROM \"" + parts[0] + "\".\"" + parts[1] + "\"")) {
                    int columns = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        for (int i = 1; i <= columns; i++) {
                            String text = text(rs.getObject(i));
                            for (String secret : secrets) {
                                if (text != null && text.contains(secret)) {
                                    hits.merge(table + "." + rs.getMetaData().getColumnName(i), 1, Integer::sum);
                                }
                            }
                        }
                    }
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return hits;
    }

    private static String text(Object value) throws Exception {
        if (value == null) {
            return null;
        }
        if (value instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8) + new String(bytes, StandardCharsets.ISO_8859_1);
        }
        if (value instanceof Blob blob) {
            return text(blob.getBytes(1, (int) blob.length()));
        }
        if (value instanceof Clob clob) {
            return clob.getSubString(1, (int) clob.length());
        }
        return value.toString();
    }
}
