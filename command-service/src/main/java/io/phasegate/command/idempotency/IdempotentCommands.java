package io.phasegate.command.idempotency;

import io.phasegate.platform.identity.CallerIdentity;
import io.phasegate.platform.web.ApiException;
import io.phasegate.platform.web.BlockingExecutor;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * {@code Idempotency-Key} for command endpoints (SPEC §4.1): the first response to a keyed request is stored, and a
 * retry with the same key and the same request gets that response again without sending the command, so it writes
 * no new events. Keys are scoped to the caller's organisation.
 *
 * <ul>
 *   <li>The key is reserved (a {@code pending} row, unique per organisation and key) before the command is sent, so
 *   two concurrent requests with one key never both run: the second answers {@code 409 idempotency_key_in_use}.</li>
 *   <li>A retry whose request differs (another endpoint or body) answers {@code 422 idempotency_key_reused}.</li>
 *   <li>If the command fails, the reservation is dropped and the client may retry with the same key.</li>
 * </ul>
 */
@Component
public class IdempotentCommands {

    public static final String HEADER = "Idempotency-Key";
    public static final String REPLAYED_HEADER = "Idempotent-Replayed";
    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7e]{1,128}");

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final BlockingExecutor blocking;
    private final Clock clock = Clock.systemUTC();

    public IdempotentCommands(JdbcTemplate jdbc, ObjectMapper json, BlockingExecutor blocking) {
        this.jdbc = jdbc;
        this.json = json;
        this.blocking = blocking;
    }

    /**
     * Runs {@code command} once per {@code key}; without a key it simply runs it.
     *
     * @param request what identifies the request besides the key: endpoint and body
     */
    public <T> Mono<ResponseEntity<JsonNode>> run(CallerIdentity caller, String key, String request,
                                                  Supplier<Mono<ResponseEntity<T>>> command) {
        if (key == null) {
            return command.get().map(this::toJson);
        }
        if (!KEY.matcher(key).matches()) {
            return Mono.error(ApiException.badRequest("invalid_idempotency_key",
                    "Idempotency-Key must be 1 to 128 visible ASCII characters."));
        }
        String fingerprint = sha256(request);
        return blocking.call(() -> reserve(caller.orgId(), key, fingerprint))
                .flatMap(stored -> stored instanceof Stored s ? Mono.just(s.replay())
                        : command.get()
                                .map(this::toJson)
                                .flatMap(response -> blocking.call(() -> complete(caller.orgId(), key, response)))
                                .onErrorResume(error -> blocking.call(() -> release(caller.orgId(), key))
                                        .then(Mono.error(error))));
    }

    private sealed interface Reservation permits Reserved, Stored {
    }

    private record Reserved() implements Reservation {
    }

    private record Stored(int status, String location, String body, ObjectMapper json) implements Reservation {
        ResponseEntity<JsonNode> replay() {
            ResponseEntity.BodyBuilder builder = ResponseEntity.status(status).header(REPLAYED_HEADER, "true");
            if (location != null) {
                builder.location(URI.create(location));
            }
            return builder.body(body == null ? null : json.readTree(body));
        }
    }

    private Reservation reserve(String orgId, String key, String fingerprint) {
        try {
            jdbc.update("INSERT INTO idempotency_records (org_id, idem_key, fingerprint, state, created_at) "
                    + "VALUES (?, ?, ?, 'pending', ?)", orgId, key, fingerprint, Timestamp.from(clock.instant()));
            return new Reserved();
        } catch (DuplicateKeyException taken) {
            List<Map<String, Object>> rows = jdbc.queryForList("SELECT fingerprint, state, status, location, body "
                    + "FROM idempotency_records WHERE org_id = ? AND idem_key = ?", orgId, key);
            if (rows.isEmpty()) {
                throw new ApiException(HttpStatus.CONFLICT, "idempotency_key_in_use",
                        "A request with this Idempotency-Key is being processed; retry shortly.");
            }
            Map<String, Object> row = rows.get(0);
            if (!fingerprint.equals(row.get("fingerprint"))) {
                throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "idempotency_key_reused",
                        "This Idempotency-Key was used for a different request.");
            }
            if (!"done".equals(row.get("state"))) {
                throw new ApiException(HttpStatus.CONFLICT, "idempotency_key_in_use",
                        "A request with this Idempotency-Key is being processed; retry shortly.");
            }
            return new Stored(((Number) row.get("status")).intValue(), (String) row.get("location"),
                    (String) row.get("body"), json);
        }
    }

    private ResponseEntity<JsonNode> complete(String orgId, String key, ResponseEntity<JsonNode> response) {
        URI location = response.getHeaders().getLocation();
        jdbc.update("UPDATE idempotency_records SET state = 'done', status = ?, location = ?, body = ? "
                        + "WHERE org_id = ? AND idem_key = ?",
                response.getStatusCode().value(), location == null ? null : location.toString(),
                response.getBody() == null ? null : json.writeValueAsString(response.getBody()), orgId, key);
        return response;
    }

    private Void release(String orgId, String key) {
        jdbc.update("DELETE FROM idempotency_records WHERE org_id = ? AND idem_key = ? AND state = 'pending'",
                orgId, key);
        return null;
    }

    private <T> ResponseEntity<JsonNode> toJson(ResponseEntity<T> response) {
        JsonNode body = response.getBody() == null ? null : json.valueToTree(response.getBody());
        return new ResponseEntity<>(body, response.getHeaders(), response.getStatusCode());
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
