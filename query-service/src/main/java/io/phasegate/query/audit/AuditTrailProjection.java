package io.phasegate.query.audit;

import io.phasegate.events.audit.FindAuditStreamQuery;
import io.phasegate.query.position.EventPositions;
import java.util.Optional;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.queryhandling.QueryUpdateEmitter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The audit trail ({@code audit_records}, {@code audit_chain_heads}; SPEC §3): one record per event of every type,
 * so new event types flow in without code changes. Events whose payload names no organisation ({@code orgId}) are
 * skipped.
 *
 * <p><b>Hash chain per organisation.</b> A record's {@code hash} covers all its fields and {@code prev_hash}, the hash
 * of the organisation's previous record ({@link AuditHashes#GENESIS} for the first). The previous record is read from
 * the database, from the organisation's chain head, in the transaction that appends the record and moves the head,
 * so a restart or a replay continues the chain exactly. The head also lets verification notice a deleted newest
 * record; if the head and the last record disagree (someone altered the table), the record is chained to the head
 * and a warning logged, so the alteration stays detectable.
 *
 * <p><b>Ordering.</b> Records are appended in the order the processor handles the events: the order of their global
 * positions, except for an event whose transaction committed after a later one had been read (it fills a gap of the
 * tracking token and is appended when it arrives). {@code chain_seq} numbers a chain's records in append order. The
 * {@value #GROUP} processor runs with one segment (the platform's default for every processor); its events are
 * moreover sequenced per organisation ({@link AuditConfiguration}), so even when split into segments one
 * organisation's chain is only ever appended by one thread, in order. A failing append is retried, never skipped.
 *
 * <p><b>Idempotent and replay-safe.</b> A record is keyed by the event's exact position ({@link EventPositions}) and
 * event id; a redelivered event changes nothing. A reset empties both tables and ends the live streams (their
 * clients resume with {@code Last-Event-ID}).
 *
 * <p>After commit, each new record is emitted to the organisation's stream subscriptions
 * ({@link FindAuditStreamQuery}) on this instance; other instances pass it on from the table ({@link AuditFeed}).
 */
@Component
@ProcessingGroup(AuditTrailProjection.GROUP)
public class AuditTrailProjection {

    public static final String GROUP = "audit";

    private static final Logger log = LoggerFactory.getLogger(AuditTrailProjection.class);

    private final AuditRecords records;
    private final EventPositions positions;
    private final QueryUpdateEmitter updates;
    private final AuditFeed feed;

    public AuditTrailProjection(AuditRecords records, EventPositions positions, QueryUpdateEmitter updates,
                                AuditFeed feed) {
        this.records = records;
        this.positions = positions;
        this.updates = updates;
        this.feed = feed;
    }

    @EventHandler
    void on(Object payload, EventMessage<?> message, TrackingToken token) {
        String orgId = AuditPayloads.orgId(payload);
        if (orgId == null) {
            log.debug("Event {} ({}) names no organisation: not in the audit trail", message.getIdentifier(),
                    message.getPayloadType().getName());
            return;
        }
        long position = positions.of(message, token);
        if (records.exists(position, message.getIdentifier())) {
            return; // delivered again: already recorded
        }
        AuditRecordFactory.Draft draft = AuditRecordFactory.draft(position, orgId, payload, message);
        Optional<AuditRecords.Head> head = records.head(orgId);
        Optional<AuditRecords.Head> last = records.lastRecord(orgId);
        if (!head.equals(last)) {
            log.warn("The audit chain of organisation {} was altered: its head is {} but its last record is {}; "
                    + "verification will report it", orgId, head.orElse(null), last.orElse(null));
        }
        Optional<AuditRecords.Head> previous = head.isPresent() ? head : last;
        AuditRow row = previous
                .map(p -> draft.row().chainedTo(p.seq(), p.position(), p.hash()))
                .orElseGet(() -> draft.row().chainedTo(0, null, AuditHashes.GENESIS));
        records.insert(row);
        records.advanceHead(orgId, head, row);
        feed.publish(row.view(draft.summary()));
    }

    @ResetHandler
    void reset() {
        records.deleteAll();
        feed.reset();
        // streams that already passed records of the old chain end; their clients resume by position
        updates.complete(FindAuditStreamQuery.class, query -> true);
    }
}
