package io.phasegate.query.audit;

import io.phasegate.events.audit.AuditRecordView;
import java.time.Instant;
import java.util.Map;

/**
 * A row of {@code audit_records} as stored: {@code summary} is the stored JSON text, which is what the hash covers.
 * A draft (not chained yet) has chain sequence 0 and no hashes.
 */
record AuditRow(long position, String orgId, long chainSeq, String eventId, String eventType, String aggregateType,
                String aggregateId, Long aggregateSequence, Instant occurredAt, String actor, String correlationId,
                String causationId, String description, String summary, Long prevPosition, String prevHash,
                String hash) {

    /** This draft as the next record of a chain whose last record is {@code (prevSeq, prevPosition, prevHash)}. */
    AuditRow chainedTo(long prevSeq, Long prevPosition, String prevHash) {
        AuditRow unhashed = new AuditRow(position, orgId, prevSeq + 1, eventId, eventType, aggregateType, aggregateId,
                aggregateSequence, occurredAt, actor, correlationId, causationId, description, summary, prevPosition,
                prevHash, null);
        return unhashed.withHash(AuditHashes.hash(unhashed));
    }

    AuditRow withHash(String value) {
        return new AuditRow(position, orgId, chainSeq, eventId, eventType, aggregateType, aggregateId,
                aggregateSequence, occurredAt, actor, correlationId, causationId, description, summary, prevPosition,
                prevHash, value);
    }

    AuditRecordView view(Map<String, Object> parsedSummary) {
        return new AuditRecordView(position, orgId, chainSeq, eventId, eventType, aggregateType, aggregateId,
                aggregateSequence, occurredAt, actor, correlationId, causationId, description, parsedSummary,
                prevPosition, prevHash, hash);
    }
}
