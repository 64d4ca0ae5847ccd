package io.phasegate.events.audit;

import java.time.Instant;
import java.util.Map;

/**
 * One record of an organisation's audit trail (SPEC §3): one per event, chained to the organisation's previous
 * record by hash.
 *
 * @param position          the event's global position in the event store (unique; the SSE event id)
 * @param orgId             the organisation whose chain the record belongs to
 * @param chainSequence     the record's place in its organisation's chain: 1, 2, 3, … in the order the records were
 *                          appended (the order of the positions, except for an event whose transaction committed
 *                          late, which is appended when it is seen)
 * @param eventId           the event message's identifier
 * @param eventType         the simple name of the event's payload type, e.g. {@code TaskCreatedEvent}
 * @param aggregateType     the aggregate type ({@code Task}, {@code Workflow}, …), or {@code null} for an event not
 *                          applied by an aggregate
 * @param aggregateId       the aggregate identifier, or {@code null}
 * @param aggregateSequence the event's sequence number within its aggregate, or {@code null}
 * @param occurredAt        the event's timestamp (microsecond precision)
 * @param actor             who caused the event: the message's {@code actor} metadata, else the payload's acting
 *                          field ({@code cancelled_by}, {@code granted_by}, …, {@code agent_id}); {@code null} when
 *                          none names one
 * @param correlationId     the identifier of the message that started the chain of messages (Axon's
 *                          {@code traceId} metadata), or {@code null}
 * @param causationId       the identifier of the message that directly caused the event (Axon's
 *                          {@code correlationId} metadata), or {@code null}
 * @param description       a short human-readable text
 * @param summary           the payload with snake_case names, secrets redacted and long values cut
 * @param prevPosition      the position of the previous record of the chain, or {@code null} for the first
 * @param prevHash          the hash of the previous record of the chain (64 zeros for the first)
 * @param hash              SHA-256 (hex) over the canonical form of this record, {@code prev_hash} included
 */
public record AuditRecordView(long position, String orgId, long chainSequence, String eventId, String eventType,
                              String aggregateType, String aggregateId, Long aggregateSequence, Instant occurredAt,
                              String actor, String correlationId, String causationId, String description,
                              Map<String, Object> summary, Long prevPosition, String prevHash, String hash) {
}
