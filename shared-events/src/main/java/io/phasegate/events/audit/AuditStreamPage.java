package io.phasegate.events.audit;

import java.util.List;

/**
 * A page of a stream: the matching records in chain order, and how far the chain was read.
 *
 * @param throughSequence every record of the organisation up to this chain sequence was considered (the next page
 *                        starts after it)
 * @param more            whether records beyond {@code throughSequence} were already there when the page was read
 */
public record AuditStreamPage(List<AuditRecordView> items, long throughSequence, boolean more) {
    public AuditStreamPage {
        items = items == null ? List.of() : List.copyOf(items);
    }
}
