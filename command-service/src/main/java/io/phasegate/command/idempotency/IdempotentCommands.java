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
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.UUID;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.springframework.beans.factory.annotation.Value;
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
 *   <li>The key is reserved (a {@code pending} row, unique per organisation and key, with an {@code attempt} id and a
 *   lease of {@code phasegate.idempotency.lease}, default 30 s) before the command is sent, so two concurrent
 *   requests with one key never both run: the second answers {@code 409 idempotency_key_in_use}.</li>
 *   <li>The command carries the reservation ({@link IdempotencyMark}) in its meta-data; its own transaction marks the
 *   row {@code committed} ({@link IdempotencyCommitMarker}), atomically with its events, and only while its attempt
 *   holds the reservation.</li>
 *   <li>After the command, the response is stored ({@code done}). A retry whose request differs (another endpoint or
 *   body) answers {@code 422 idempotency_key_reused}.</li>
 *   <li>If the command fails, the reservation is dropped and the client may retry with the same key. If dropping it
 *   fails too (the database is down), the reservation lapses with its lease, and a retry takes it over and runs the
 *   command — which cannot have committed: its row would say {@code committed}.</li>
 *   <li>If the command committed but its response could not be stored, a retry never runs the command again: once
 *   the lease is over (before, the first request may still be storing it: {@code 409 idempotency_key_in_use}) it
 *   answers {@code 409 idempotency_key_committed}, with the handler's result (e.g. a created id) as
 *   {@code command_result} when there is one.</li>
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
    private final Duration lease;
    private final Clock clock = Clock.systemUTC();

    public IdempotentCommands(JdbcTemplate jdbc, ObjectMapper json, BlockingExecutor blocking,
                              @Value("${phasegate.idempotency.lease:PT30S}") Duration lease) {
        this.jdbc = jdbc;
        this.json = json;
        this.blocking = blocking;
        this.lease = lease;
    }

    /**
     * Runs {@code command} once per {@code key}; without a key it simply runs it. Commands that {@code command} sends
     * through {@code CommandSender} carry the reservation.
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
                .flatMap(reservation -> reservation instanceof Stored s ? Mono.just(s.replay())
                        : runReserved(((Reserved) reservation).mark(), command));
    }

    private <T> Mono<ResponseEntity<JsonNode>> runReserved(IdempotencyMark mark,
                                                           Supplier<Mono<ResponseEntity<T>>> command) {
        return Mono.defer(command)
                .contextWrite(context -> context.put(IdempotencyMark.class, mark))
                .map(this::toJson)
                .flatMap(response -> blocking.call(() -> complete(mark, response)))
                .onErrorResume(error -> blocking.call(() -> release(mark))
                        .onErrorResume(releaseFailed -> Mono.empty()) // the lease lets a retry take the key over
                        .then(Mono.error(error)));
    }

    private sealed interface Reservation permits Reserved, Stored {
    }

    private record Reserved(IdempotencyMark mark) implements Reservation {
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
        Instant now = clock.instant();
        String attempt = UUID.randomUUID().toString();
        try {
            jdbc.update("INSERT INTO idempotency_records (org_id, idem_key, fingerprint, state, created_at, attempt, "
                            + "lease_until) VALUES (?, ?, ?, 'pending', ?, ?, ?)", orgId, key, fingerprint,
                    Timestamp.from(now), attempt, Timestamp.from(now.plus(lease)));
            return new Reserved(new IdempotencyMark(orgId, key, attempt));
        } catch (DuplicateKeyException taken) {
            List<Map<String, Object>> rows = jdbc.queryForList("SELECT fingerprint, state, status, location, body, "
                    + "attempt, lease_until, result FROM idempotency_records WHERE org_id = ? AND idem_key = ?",
                    orgId, key);
            if (rows.isEmpty()) {
                throw inUse(); // dropped in between: a retry reserves it
            }
            Map<String, Object> row = rows.get(0);
            if (!fingerprint.equals(row.get("fingerprint"))) {
                throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "idempotency_key_reused",
                        "This Idempotency-Key was used for a different request.");
            }
            String state = (String) row.get("state");
            if ("done".equals(state)) {
                return new Stored(((Number) row.get("status")).intValue(), (String) row.get("location"),
                        (String) row.get("body"), json);
            }
            Instant leaseUntil = instant(row.get("lease_until"));
            boolean leaseLive = leaseUntil != null && leaseUntil.isAfter(now);
            if ("committed".equals(state) && !leaseLive) {
                Map<String, Object> extra = new LinkedHashMap<>();
                if (row.get("result") != null) {
                    extra.put("command_result", row.get("result"));
                }
                throw new ApiException(HttpStatus.CONFLICT, "idempotency_key_committed",
                        "The request with this Idempotency-Key was carried out, but its response could not be "
                                + "stored; it is not run again. Its effects are visible through the queries.", extra);
            }
            if (leaseLive) {
                throw inUse(); // running, or committed and about to store its response
            }
            // a reservation whose request failed without dropping it (e.g. the database went away): take it over
            String previous = (String) row.get("attempt");
            int takenOver = jdbc.update("UPDATE idempotency_records SET attempt = ?, lease_until = ? "
                            + "WHERE org_id = ? AND idem_key = ? AND state = 'pending' AND "
                            + (previous == null ? "attempt IS NULL" : "attempt = ?"),
                    previous == null
                            ? new Object[] {attempt, Timestamp.from(now.plus(lease)), orgId, key}
                            : new Object[] {attempt, Timestamp.from(now.plus(lease)), orgId, key, previous});
            if (takenOver != 1) {
                throw inUse();
            }
            return new Reserved(new IdempotencyMark(orgId, key, attempt));
        }
    }

    private static ApiException inUse() {
        return new ApiException(HttpStatus.CONFLICT, "idempotency_key_in_use",
                "A request with this Idempotency-Key is being processed; retry shortly.");
    }

    private static Instant instant(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Timestamp timestamp) {
            return timestamp.toInstant();
        }
        if (value instanceof OffsetDateTime offset) {
            return offset.toInstant();
        }
        if (value instanceof Instant instant) {
            return instant;
        }
        if (value instanceof java.time.ZonedDateTime zoned) {
            return zoned.toInstant();
        }
        throw new IllegalStateException("Unexpected timestamp type " + value.getClass());
    }

    private ResponseEntity<JsonNode> complete(IdempotencyMark mark, ResponseEntity<JsonNode> response) {
        URI location = response.getHeaders().getLocation();
        jdbc.update("UPDATE idempotency_records SET state = 'done', status = ?, location = ?, body = ? "
                        + "WHERE org_id = ? AND idem_key = ? AND attempt = ?",
                response.getStatusCode().value(), location == null ? null : location.toString(),
                response.getBody() == null ? null : json.writeValueAsString(response.getBody()), mark.orgId(),
                mark.key(), mark.attempt());
        return response;
    }

    private Void release(IdempotencyMark mark) {
        jdbc.update("DELETE FROM idempotency_records WHERE org_id = ? AND idem_key = ? AND attempt = ? "
                + "AND state = 'pending'", mark.orgId(), mark.key(), mark.attempt());
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
