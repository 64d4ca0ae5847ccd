package io.phasegate.query.audit;

import io.phasegate.events.audit.AuditRecordView;
import io.phasegate.events.audit.FindAuditStreamQuery;
import io.phasegate.platform.web.BlockingExecutor;
import io.phasegate.query.stream.StreamProperties;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.queryhandling.QueryUpdateEmitter;
import org.axonframework.queryhandling.SubscriptionQueryMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The live audit records for the streams this query-service instance serves ({@link FindAuditStreamQuery}
 * subscriptions), whichever instance appends them.
 *
 * <p>With several instances, the {@link AuditTrailProjection} runs on the one that has claimed its segment, and its
 * updates reach only that instance's subscriptions. So every instance also <em>tails</em> the chains of the
 * organisations it has streams for: every {@code phasegate.streams.tail-interval} (50 ms) one query reads their
 * heads ({@code audit_chain_heads}, committed with the records), and the records beyond what was passed on are read
 * and emitted. Records the projection of this instance appended were emitted at its commit and are not emitted again.
 *
 * <p>Streams need no more than that: a stream drops a record it has passed and fills any gap in its chain from the
 * table ({@code AuditStreams}). That is also why the first look at an organisation emits only its head record, and a
 * tail that falls more than a page behind emits only the newest record: each stream then reads what it misses at
 * its own pace instead of the feed pushing a backlog to every stream.
 */
@Component
public class AuditFeed implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(AuditFeed.class);

    private final AuditRecords records;
    private final QueryUpdateEmitter updates;
    private final BlockingExecutor blocking;
    private final StreamProperties properties;
    /** Per watched organisation: the chain sequence up to which its records were passed on here. */
    private final ConcurrentMap<String, Long> passedOn = new ConcurrentHashMap<>();
    private volatile Disposable tailing;
    /** Whether the last look failed: a failing database is reported once, not at every look. */
    private volatile boolean failing;

    AuditFeed(AuditRecords records, QueryUpdateEmitter updates, BlockingExecutor blocking,
              StreamProperties properties) {
        this.records = records;
        this.updates = updates;
        this.blocking = blocking;
        this.properties = properties;
    }

    /**
     * Emits a record the projection appends to the streams of its organisation, once the unit of work commits (the
     * emitter defers it), and notes it as passed on then.
     */
    void publish(AuditRecordView record) {
        if (!watched(record.orgId())) {
            return; // nobody watches this organisation here
        }
        updates.emit(FindAuditStreamQuery.class, query -> query.orgId().equals(record.orgId()), record);
        if (CurrentUnitOfWork.isStarted()) {
            CurrentUnitOfWork.get().afterCommit(unitOfWork -> passed(record.orgId(), record.chainSequence()));
        } else {
            passed(record.orgId(), record.chainSequence());
        }
    }

    /** Forgets what was passed on: the chains are rebuilt (the streams are ended). */
    void reset() {
        passedOn.clear();
    }

    /** One look at the heads of the watched organisations' chains, emitting what this instance has not passed on. */
    void tail() {
        Set<String> watched = watched();
        passedOn.keySet().retainAll(watched);
        if (watched.isEmpty()) {
            return;
        }
        int pageSize = properties.pageSize();
        for (Map.Entry<String, Long> head : records.headSequences(watched).entrySet()) {
            String orgId = head.getKey();
            long headSeq = head.getValue();
            // first look: pass on the head record (streams fill what they miss before it from the table)
            long from = passedOn.computeIfAbsent(orgId, org -> headSeq - 1);
            if (headSeq < from) {
                passedOn.put(orgId, headSeq); // the chain was rebuilt shorter: go on from its head
                continue;
            }
            if (headSeq == from) {
                continue;
            }
            // far behind: pass on the newest record only, each stream reads the others at its own pace
            long after = headSeq - from > pageSize ? headSeq - 1 : from;
            while (after < headSeq) {
                List<AuditRow> rows = records.chainRange(orgId, null, after, headSeq, pageSize);
                if (rows.isEmpty()) {
                    break;
                }
                for (AuditRow row : rows) {
                    AuditRecordView record = AuditRecords.view(row);
                    updates.emit(FindAuditStreamQuery.class, query -> query.orgId().equals(orgId), record);
                }
                after = rows.get(rows.size() - 1).chainSeq();
            }
            passed(orgId, headSeq);
        }
    }

    private void passed(String orgId, long chainSequence) {
        passedOn.computeIfPresent(orgId, (org, through) -> Math.max(through, chainSequence));
    }

    /** Whether the organisation has a stream subscription on this instance (stops at the first one found). */
    private boolean watched(String orgId) {
        for (SubscriptionQueryMessage<?, ?, ?> subscription : updates.activeSubscriptions()) {
            if (subscription.getPayload() instanceof FindAuditStreamQuery query && query.orgId().equals(orgId)) {
                return true;
            }
        }
        return false;
    }

    /** The organisations with a stream subscription on this instance. */
    private Set<String> watched() {
        Set<String> orgs = new HashSet<>();
        for (SubscriptionQueryMessage<?, ?, ?> subscription : updates.activeSubscriptions()) {
            if (subscription.getPayload() instanceof FindAuditStreamQuery query) {
                orgs.add(query.orgId());
            }
        }
        return orgs;
    }

    @Override
    public synchronized void start() {
        if (tailing == null) {
            tailing = Flux.interval(properties.tailInterval())
                    .onBackpressureDrop()
                    .concatMap(tick -> blocking.call(() -> {
                        tail();
                        if (failing) {
                            failing = false;
                            log.info("Reading the audit chains' heads for the live streams again");
                        }
                        return tick;
                    }).onErrorResume(e -> {
                        if (!failing) {
                            failing = true;
                            log.warn("Could not read the audit chains' heads for the live streams (retrying every {}): {}",
                                    properties.tailInterval(), e.toString());
                        }
                        return Mono.empty();
                    }), 1)
                    .subscribe();
        }
    }

    @Override
    public synchronized void stop() {
        if (tailing != null) {
            tailing.dispose();
            tailing = null;
        }
    }

    @Override
    public boolean isRunning() {
        return tailing != null;
    }
}
