package io.phasegate.query.audit;

import io.phasegate.events.audit.AuditRecordPage;
import io.phasegate.events.audit.AuditRecordView;
import io.phasegate.events.audit.AuditStreamPage;
import io.phasegate.events.audit.AuditVerificationView;
import io.phasegate.events.audit.FindAuditRecordsQuery;
import io.phasegate.events.audit.FindAuditStreamQuery;
import io.phasegate.events.audit.VerifyAuditTrailQuery;
import java.util.List;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/** The query handlers of the audit trail (written by {@link AuditTrailProjection}). */
@Component
public class AuditQueries {

    private final AuditRecords records;
    private final AuditVerifier verifier;

    public AuditQueries(AuditRecords records, @Value("${phasegate.audit.page-size:500}") int pageSize) {
        this.records = records;
        this.verifier = new AuditVerifier(records, Math.max(1, pageSize));
    }

    /** One page in position order; {@code next_cursor} is the last item's position while more may follow. */
    @QueryHandler
    public AuditRecordPage handle(FindAuditRecordsQuery query) {
        List<AuditRow> rows = records.find(query, query.limit() + 1);
        String next = null;
        if (rows.size() > query.limit()) {
            rows = rows.subList(0, query.limit());
            next = Long.toString(rows.get(rows.size() - 1).position());
        }
        return new AuditRecordPage(rows.stream().map(AuditRecords::view).toList(), next);
    }

    @QueryHandler
    public AuditVerificationView handle(VerifyAuditTrailQuery query) {
        return verifier.verify(query.orgId());
    }

    /**
     * A page of a stream in chain order. The resume point is resolved first, then the head is read, then the page
     * up to the head: a page never claims to cover a record it did not see.
     */
    @QueryHandler
    public AuditStreamPage handle(FindAuditStreamQuery query) {
        long after = query.afterSequence() != null ? query.afterSequence() : resumeAfter(query);
        long head = records.head(query.orgId()).map(AuditRecords.Head::seq).orElse(0L);
        long until = query.untilSequence() == null ? head : Math.min(query.untilSequence(), head);
        if (until <= after) {
            return new AuditStreamPage(List.of(), Math.max(after, until), false);
        }
        List<AuditRow> rows = records.chainRange(query.orgId(), query.aggregateType(), after, until, query.limit());
        List<AuditRecordView> items = rows.stream().map(AuditRecords::view).toList();
        if (rows.size() == query.limit()) {
            long through = rows.get(rows.size() - 1).chainSeq();
            return new AuditStreamPage(items, through, through < until);
        }
        return new AuditStreamPage(items, until, false);
    }

    /**
     * Where a stream resumes: after the organisation's record at {@code afterPosition}; when it has none there (a
     * position of another organisation, of an unrecorded event, or beyond the head), before its first record with a
     * higher position; with no such record or no position, at the head (only new records).
     */
    private long resumeAfter(FindAuditStreamQuery query) {
        String orgId = query.orgId();
        if (query.afterPosition() != null) {
            var at = records.sequenceAt(orgId, query.afterPosition());
            if (at.isPresent()) {
                return at.get();
            }
            var next = records.firstSequenceAfter(orgId, query.afterPosition());
            if (next.isPresent()) {
                return next.get() - 1;
            }
        }
        return records.head(orgId).map(AuditRecords.Head::seq).orElse(0L);
    }
}
