package io.phasegate.events.audit;

import java.time.Instant;

/**
 * An organisation's audit records with optional filters, ordered by position. Answers an {@link AuditRecordPage}.
 *
 * @param actor       only records of this actor, or {@code null}
 * @param aggregateId only records of this aggregate, or {@code null}
 * @param eventType   only records of this event type (simple name), or {@code null}
 * @param from        only records that occurred at or after this time, or {@code null}
 * @param to          only records that occurred before this time, or {@code null}
 * @param after       cursor: only records after this position in the page order, or {@code null}
 * @param descending  newest (highest position) first instead of oldest first
 * @param limit       page size
 */
public record FindAuditRecordsQuery(String orgId, String actor, String aggregateId, String eventType, Instant from,
                                    Instant to, Long after, boolean descending, int limit) {
}
