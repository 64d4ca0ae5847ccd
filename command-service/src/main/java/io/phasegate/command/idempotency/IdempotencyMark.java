package io.phasegate.command.idempotency;

import java.util.Map;
import java.util.Optional;
import org.axonframework.messaging.MetaData;
import reactor.util.context.ContextView;

/**
 * Which {@code Idempotency-Key} reservation a command belongs to. {@link IdempotentCommands} puts it in the Reactor
 * context of the request's command pipeline, {@code CommandSender} copies it into the command's meta-data, and
 * {@link IdempotencyCommitMarker} marks the reservation in the command's own transaction.
 *
 * @param attempt identifies the request that holds the reservation (a random UUID per reservation or take-over)
 */
public record IdempotencyMark(String orgId, String key, String attempt) {

    static final String ORG = "phasegate-idempotency-org";
    static final String KEY = "phasegate-idempotency-key";
    static final String ATTEMPT = "phasegate-idempotency-attempt";

    /** The mark of the request whose command pipeline runs with {@code context}, if it has an Idempotency-Key. */
    public static Optional<IdempotencyMark> in(ContextView context) {
        return context.getOrEmpty(IdempotencyMark.class);
    }

    /** Meta-data for the command. */
    public Map<String, String> metaData() {
        return Map.of(ORG, orgId, KEY, key, ATTEMPT, attempt);
    }

    static Optional<IdempotencyMark> of(MetaData metaData) {
        Object attempt = metaData.get(ATTEMPT);
        Object org = metaData.get(ORG);
        Object key = metaData.get(KEY);
        if (attempt == null || org == null || key == null) {
            return Optional.empty();
        }
        return Optional.of(new IdempotencyMark(org.toString(), key.toString(), attempt.toString()));
    }
}
