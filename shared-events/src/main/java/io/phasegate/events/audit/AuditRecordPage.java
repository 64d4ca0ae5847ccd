package io.phasegate.events.audit;

import java.util.List;

/** Query result: one page of audit records and the cursor of the next page ({@code null} on the last page). */
public record AuditRecordPage(List<AuditRecordView> items, String nextCursor) {
    public AuditRecordPage {
        items = items == null ? List.of() : List.copyOf(items);
    }
}
