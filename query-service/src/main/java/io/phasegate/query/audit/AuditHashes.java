package io.phasegate.query.audit;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The hash of an audit record: SHA-256, lower-case hex, over the record's canonical form.
 *
 * <p>Canonical form (version 1): the UTF-8 bytes of {@value #VERSION}, then for every field in this order a 4-byte
 * big-endian length followed by the field's UTF-8 bytes, or the length -1 and nothing for {@code null}:
 * {@code org_id, chain_seq, position, event_id, event_type, aggregate_type, aggregate_id, aggregate_sequence,
 * occurred_at, actor, correlation_id, causation_id, description, summary, prev_position, prev_hash}. Numbers are
 * written in decimal, {@code occurred_at} as ISO-8601 ({@link java.time.Instant#toString()}, microsecond
 * precision), {@code summary} as the stored JSON text. Length prefixes make the form unambiguous: no choice of field
 * values can make two different records serialise to the same bytes.
 *
 * <p>The first record of an organisation's chain has {@code prev_hash} {@link #GENESIS} (64 zeros).
 */
public final class AuditHashes {

    public static final String VERSION = "phasegate-audit-v1";
    /** The {@code prev_hash} of an organisation's first record. */
    public static final String GENESIS = "0".repeat(64);

    private AuditHashes() {
    }

    static String hash(AuditRow row) {
        return hash(canonical(row));
    }

    static byte[] canonical(AuditRow row) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512 + row.summary().length());
        out.writeBytes(VERSION.getBytes(StandardCharsets.UTF_8));
        for (String field : Arrays.asList(row.orgId(), Long.toString(row.chainSeq()), Long.toString(row.position()),
                row.eventId(), row.eventType(), row.aggregateType(), row.aggregateId(), text(row.aggregateSequence()),
                row.occurredAt() == null ? null : row.occurredAt().toString(), row.actor(), row.correlationId(),
                row.causationId(), row.description(), row.summary(), text(row.prevPosition()), row.prevHash())) {
            if (field == null) {
                writeInt(out, -1);
            } else {
                byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
                writeInt(out, bytes.length);
                out.writeBytes(bytes);
            }
        }
        return out.toByteArray();
    }

    static String hash(byte[] canonical) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private static String text(Long value) {
        return value == null ? null : value.toString();
    }

    private static void writeInt(ByteArrayOutputStream out, int value) {
        out.write(value >>> 24);
        out.write(value >>> 16);
        out.write(value >>> 8);
        out.write(value);
    }
}
