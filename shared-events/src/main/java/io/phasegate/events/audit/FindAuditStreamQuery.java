package io.phasegate.events.audit;

/**
 * A page of an organisation's audit records in chain order, for the live streams. Sent as a subscription query (the
 * initial result is the first page; updates are the {@link AuditRecordView}s of the organisation as the projection
 * appends them) and as a plain query for the following pages. Answers an {@link AuditStreamPage}.
 *
 * @param aggregateType only records of this aggregate type ({@code Task} for the task stream), or {@code null}
 * @param afterPosition where to resume when {@code afterSequence} is {@code null}: after the organisation's record
 *                      at this position, or, when the organisation has none there, before its first record (in chain
 *                      order) with a higher position; {@code null} for "from now on"
 * @param afterSequence only records with a higher chain sequence, or {@code null} to resolve {@code afterPosition}
 * @param untilSequence only records up to this chain sequence, or {@code null} for up to the chain's head
 * @param limit         page size
 */
public record FindAuditStreamQuery(String orgId, String aggregateType, Long afterPosition, Long afterSequence,
                                   Long untilSequence, int limit) {
}
