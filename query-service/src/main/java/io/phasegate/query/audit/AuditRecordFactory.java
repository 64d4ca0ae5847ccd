package io.phasegate.query.audit;

import io.phasegate.platform.redaction.Redactor;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventMessage;

/**
 * Builds the draft audit record of an event (everything but the chain fields): who, what, when, which aggregate,
 * correlation and causation, a description and the redacted summary. Generic over every event type.
 */
final class AuditRecordFactory {

    /** Metadata naming the actor explicitly; it wins over the payload fields. */
    static final String ACTOR_METADATA = "actor";
    /** Axon's {@code MessageOriginProvider}: the root message of the chain, i.e. the correlation id. */
    static final String TRACE_ID_METADATA = "traceId";
    /** Axon's {@code MessageOriginProvider}: the message that caused this one, i.e. the causation id. */
    static final String CORRELATION_ID_METADATA = "correlationId";

    /**
     * The payload fields (snake_case) that name who caused an event, most specific first: the one place to extend
     * when new event types name their actor differently. {@code agent_id} comes last: in a cancellation it is the
     * claimant, not the canceller.
     */
    static final List<String> ACTOR_FIELDS = List.of("actor", "cancelled_by", "granted_by", "denied_by", "revoked_by",
            "decided_by", "reviewer_id", "published_by", "created_by", "requested_by", "updated_by", "deleted_by",
            "registered_by", "imported_by", "added_by", "removed_by", "changed_by", "defined_by", "rotated_by", "provisioned_by", "deprovisioned_by", "decrypted_by", "released_by",
            "user_id", "agent_id");

    /** Structural payload fields whose names only look secret: their values stay (still checked for credentials). */
    static final Set<String> NOT_SECRET_FIELDS = Set.of("token_generation", "token_expires_at", "workflow_key");

    /**
     * Fields of encrypted credentials (a dock's {@code credential}, a rotation's {@code candidate}): not plaintext,
     * but not for audit summaries and exports either (SPEC §2.6). Redacted at any depth, whatever their value.
     */
    static final Set<String> CIPHER_FIELDS = Set.of("ciphertext", "nonce", "data_key_id");

    /** Longest summary JSON kept in full; a longer one keeps only its top-level scalar members. */
    static final int MAX_SUMMARY_CHARS = 16_384;
    static final int MAX_ID_LENGTH = 255;

    private AuditRecordFactory() {
    }

    /** The draft record, and the summary as an object (for the stream update emitted right after). */
    record Draft(AuditRow row, Map<String, Object> summary) {
    }

    static Draft draft(long position, String orgId, Object payload, EventMessage<?> message) {
        Map<String, Object> fields = AuditPayloads.asMap(payload);
        Map<String, Object> summary = withoutCipherMaterial(Redactor.summary(fields, NOT_SECRET_FIELDS));
        String summaryJson = AuditPayloads.SNAKE_CASE.writeValueAsString(summary);
        if (summaryJson.length() > MAX_SUMMARY_CHARS) {
            summary = shallow(summary);
            summaryJson = AuditPayloads.SNAKE_CASE.writeValueAsString(summary);
        }
        String aggregateType = null;
        String aggregateId = null;
        Long aggregateSequence = null;
        if (message instanceof DomainEventMessage<?> domain) {
            aggregateType = id(domain.getType());
            aggregateId = id(domain.getAggregateIdentifier());
            aggregateSequence = domain.getSequenceNumber();
        }
        String eventType = message.getPayloadType().getSimpleName();
        AuditRow row = new AuditRow(position, orgId, 0, message.getIdentifier(), eventType, aggregateType, aggregateId,
                aggregateSequence, message.getTimestamp().truncatedTo(ChronoUnit.MICROS), actor(message, fields),
                metadata(message, TRACE_ID_METADATA), metadata(message, CORRELATION_ID_METADATA),
                AuditDescriptions.describe(eventType, aggregateType, aggregateId, summary), summaryJson, null, null,
                null);
        return new Draft(row, summary);
    }

    static String actor(EventMessage<?> message, Map<String, Object> fields) {
        String fromMetadata = metadata(message, ACTOR_METADATA);
        if (fromMetadata != null) {
            return fromMetadata;
        }
        for (String field : ACTOR_FIELDS) {
            if (fields.get(field) instanceof String value && !value.isBlank()) {
                return id(value);
            }
        }
        return null;
    }

    private static String metadata(EventMessage<?> message, String key) {
        Object value = message.getMetaData().get(key);
        return value == null ? null : id(String.valueOf(value));
    }

    /** An identifier as recorded: never a credential, at most {@value #MAX_ID_LENGTH} chars. */
    private static String id(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        if (Redactor.looksSecret(value)) {
            return Redactor.REDACTED;
        }
        return value.length() <= MAX_ID_LENGTH ? value : value.substring(0, MAX_ID_LENGTH);
    }

    /** A copy of a summary with the values of {@link #CIPHER_FIELDS} members (at any depth) redacted. */
    static Map<String, Object> withoutCipherMaterial(Map<String, Object> summary) {
        Map<String, Object> copy = new LinkedHashMap<>();
        summary.forEach((key, value) -> copy.put(key, CIPHER_FIELDS.contains(key) && value != null
                ? Redactor.REDACTED : withoutCipherMaterial(value)));
        return copy;
    }

    @SuppressWarnings("unchecked")
    private static Object withoutCipherMaterial(Object value) {
        if (value instanceof Map<?, ?> map) {
            return withoutCipherMaterial((Map<String, Object>) map);
        }
        if (value instanceof List<?> list) {
            return list.stream().map(AuditRecordFactory::withoutCipherMaterial).toList();
        }
        return value;
    }

    private static Map<String, Object> shallow(Map<String, Object> summary) {
        Map<String, Object> shallow = new LinkedHashMap<>();
        summary.forEach((key, value) -> shallow.put(key, value instanceof Map<?, ?> || value instanceof List<?>
                ? "[omitted: summary too large]" : value));
        return shallow;
    }
}
