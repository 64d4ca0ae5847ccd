package io.phasegate.query.audit;

import io.phasegate.events.audit.AuditVerificationView;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Verifies an organisation's audit chain, walking its records in position order a page at a time (never the whole
 * chain in memory). Every record must match its own hash (any edited field, the hashes included, breaks that), and
 * its {@code prev_hash} must be the hash of its predecessor in the chain (the record with the previous
 * {@code chain_seq}, normally the record just before it; looked up when an event committed late). A deleted record
 * is found through its successor, whose {@code prev_position} names it; deleted newest records through the chain
 * head. The walk stops at the first break, naming its position.
 *
 * <p>Only the chain up to the head read at the start is verified, so records appended meanwhile do not disturb it.
 */
final class AuditVerifier {

    private final AuditRecords records;
    private final int pageSize;

    AuditVerifier(AuditRecords records, int pageSize) {
        this.records = records;
        this.pageSize = pageSize;
    }

    AuditVerificationView verify(String orgId) {
        Optional<AuditRecords.Head> head = records.head(orgId);
        long maxSeq = head.map(AuditRecords.Head::seq).orElse(Long.MAX_VALUE);
        long checked = 0;
        AuditRow previous = null; // the previous record in position order
        AuditRow highest = null;  // the record with the highest chain sequence seen
        long after = Long.MIN_VALUE;
        while (true) {
            List<AuditRow> page = records.byPosition(orgId, maxSeq, after, pageSize);
            for (AuditRow row : page) {
                if (!AuditHashes.hash(row).equals(row.hash())) {
                    return AuditVerificationView.broken(row.position(), AuditVerificationView.HASH_MISMATCH, checked,
                            "The record at position " + row.position() + " does not match its hash: it was altered.");
                }
                String expectedPrevHash;
                Long expectedPrevPosition;
                if (row.chainSeq() == 1) {
                    expectedPrevHash = AuditHashes.GENESIS;
                    expectedPrevPosition = null;
                } else {
                    AuditRow predecessor = previous != null && previous.chainSeq() == row.chainSeq() - 1 ? previous
                            : records.bySequence(orgId, row.chainSeq() - 1).orElse(null);
                    if (predecessor == null) {
                        long missing = row.prevPosition() != null ? row.prevPosition() : row.position();
                        return AuditVerificationView.broken(missing, AuditVerificationView.RECORD_MISSING, checked,
                                "The record at position " + missing + " (chain sequence " + (row.chainSeq() - 1)
                                        + "), the predecessor of the record at position " + row.position()
                                        + ", is missing.");
                    }
                    expectedPrevHash = predecessor.hash();
                    expectedPrevPosition = predecessor.position();
                }
                if (!expectedPrevHash.equals(row.prevHash()) || !Objects.equals(expectedPrevPosition,
                        row.prevPosition())) {
                    return AuditVerificationView.broken(row.position(), AuditVerificationView.CHAIN_BROKEN, checked,
                            "The record at position " + row.position()
                                    + " is not linked to its predecessor in the chain: a record was replaced.");
                }
                checked++;
                previous = row;
                if (highest == null || row.chainSeq() > highest.chainSeq()) {
                    highest = row;
                }
            }
            if (page.size() < pageSize) {
                break;
            }
            after = page.get(page.size() - 1).position();
        }
        // every record links to an existing predecessor, so the chain is 1..highest without holes; compare the head
        if (head.isEmpty()) {
            if (highest != null) {
                return AuditVerificationView.broken(highest.position(), AuditVerificationView.HEAD_MISMATCH, checked,
                        "The chain has records but no head.");
            }
            return AuditVerificationView.ok(0, null);
        }
        AuditRecords.Head expected = head.get();
        long lastSeq = highest == null ? 0 : highest.chainSeq();
        if (lastSeq < expected.seq()) {
            long missingCount = expected.seq() - lastSeq;
            // the head names the newest record; the positions of any other missing ones are not known
            return AuditVerificationView.broken(expected.position(), AuditVerificationView.CHAIN_TRUNCATED, checked,
                    "The newest " + missingCount + " record(s) of the chain are missing, the newest at position "
                            + expected.position() + ".");
        }
        if (expected.position() != highest.position() || !expected.hash().equals(highest.hash())) {
            return AuditVerificationView.broken(highest.position(), AuditVerificationView.HEAD_MISMATCH, checked,
                    "The chain head does not match the record at position " + highest.position() + ".");
        }
        return AuditVerificationView.ok(checked, previous == null ? null : previous.position());
    }
}
