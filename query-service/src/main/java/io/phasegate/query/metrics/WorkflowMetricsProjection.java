package io.phasegate.query.metrics;

import io.phasegate.events.task.FindWorkflowMetricsQuery;
import io.phasegate.events.task.TaskCreatedEvent;
import io.phasegate.events.task.TaskTransitionRejectedEvent;
import io.phasegate.events.task.TaskTransitionedEvent;
import io.phasegate.events.task.TransitionBlocker;
import io.phasegate.events.task.WorkflowMetricsView;
import io.phasegate.events.tool.ToolApprovalRequestedEvent;
import io.phasegate.events.tool.ToolCallDecidedEvent;
import io.phasegate.events.tool.ToolDecision;
import io.phasegate.events.workflow.WorkflowPublishedEvent;
import io.phasegate.query.position.EventPositions;
import io.phasegate.query.position.StoredTokens;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Gate and tool metrics per organisation and workflow ({@code workflow_metrics}, {@code workflow_gate_blocks};
 * {@code workflow_metrics_tasks} maps tasks to their workflow for the approval events, which do not name it).
 *
 * <p>Idempotent counting: an event counts once, recorded by its exact global position ({@link EventPositions}) in
 * {@code workflow_metrics_counted}; a redelivered event finds its position there and counts nothing. A high-water
 * mark would not do: an event that committed late (a filled gap) arrives after events with higher positions.
 * Positions below what every segment's stored token has passed are pruned from time to time (they are never
 * delivered again). The
 * processing group is sequenced per organisation ({@link MetricsSequencingPolicy}), so one row is updated by one
 * thread also with more than one segment. A reset empties every table.
 */
@Component
@ProcessingGroup(WorkflowMetricsProjection.GROUP)
public class WorkflowMetricsProjection {

    public static final String GROUP = "workflow-metrics";

    private final JdbcTemplate jdbc;
    private final EventPositions positions;
    private final StoredTokens storedTokens;
    private final int pruneEvery;
    private final AtomicLong countedSincePrune = new AtomicLong();

    public WorkflowMetricsProjection(JdbcTemplate jdbc, EventPositions positions, StoredTokens storedTokens,
                                     @Value("${phasegate.metrics.prune-counted-every:1000}") int pruneEvery) {
        this.jdbc = jdbc;
        this.positions = positions;
        this.storedTokens = storedTokens;
        this.pruneEvery = Math.max(1, pruneEvery);
    }

    /** A published workflow has metrics (all zero) from then on. */
    @EventHandler
    void on(WorkflowPublishedEvent event, TrackingToken token) {
        long position = position(token);
        if (!rowExists(event.orgId(), event.workflowId())) {
            jdbc.update("""
                            INSERT INTO workflow_metrics (org_id, workflow_id, transitions_attempted,
                                                          transitions_rejected, tool_calls, tool_calls_denied,
                                                          tool_calls_warned, tool_violations, approvals_requested,
                                                          position)
                            VALUES (?, ?, 0, 0, 0, 0, 0, 0, 0, ?)""",
                    event.orgId(), event.workflowId(), position);
        }
    }

    @EventHandler
    void on(TaskCreatedEvent event) {
        Integer existing = jdbc.queryForObject("SELECT COUNT(*) FROM workflow_metrics_tasks WHERE task_id = ?",
                Integer.class, event.taskId());
        if (existing == null || existing == 0) {
            jdbc.update("INSERT INTO workflow_metrics_tasks (task_id, org_id, workflow_id) VALUES (?, ?, ?)",
                    event.taskId(), event.orgId(), event.workflowId());
        }
    }

    @EventHandler
    void on(TaskTransitionedEvent event, TrackingToken token) {
        count(event.orgId(), event.workflowId(), position(token), "transitions_attempted = transitions_attempted + 1");
    }

    @EventHandler
    void on(TaskTransitionRejectedEvent event, TrackingToken token) {
        boolean counted = count(event.orgId(), event.workflowId(), position(token),
                "transitions_attempted = transitions_attempted + 1, transitions_rejected = transitions_rejected + 1");
        if (!counted) {
            return;
        }
        Set<String> codes = new LinkedHashSet<>();
        for (TransitionBlocker blocker : event.blockers() == null ? List.<TransitionBlocker>of() : event.blockers()) {
            if (blocker != null && blocker.code() != null) {
                codes.add(blocker.code());
            }
        }
        for (String code : codes) {
            int updated = jdbc.update("""
                            UPDATE workflow_gate_blocks SET blocks = blocks + 1
                            WHERE org_id = ? AND workflow_id = ? AND code = ?""",
                    event.orgId(), event.workflowId(), code);
            if (updated == 0) {
                jdbc.update("INSERT INTO workflow_gate_blocks (org_id, workflow_id, code, blocks) VALUES (?, ?, ?, 1)",
                        event.orgId(), event.workflowId(), code);
            }
        }
    }

    @EventHandler
    void on(ToolCallDecidedEvent event, TrackingToken token) {
        boolean denied = ToolDecision.DENIED.equals(event.decision());
        boolean warned = event.warnings() != null && !event.warnings().isEmpty();
        count(event.orgId(), event.workflowId(), position(token), "tool_calls = tool_calls + 1"
                + (denied ? ", tool_calls_denied = tool_calls_denied + 1" : "")
                + (warned ? ", tool_calls_warned = tool_calls_warned + 1" : "")
                + (denied || warned ? ", tool_violations = tool_violations + 1" : ""));
    }

    @EventHandler
    void on(ToolApprovalRequestedEvent event, TrackingToken token) {
        List<String> workflow = jdbc.queryForList(
                "SELECT workflow_id FROM workflow_metrics_tasks WHERE task_id = ? AND org_id = ?", String.class,
                event.taskId(), event.orgId());
        if (!workflow.isEmpty()) {
            count(event.orgId(), workflow.get(0), position(token), "approvals_requested = approvals_requested + 1");
        }
    }

    /**
     * Forgets the counted positions that can never be delivered again: those below the lowest position the
     * processor's stored tokens have not passed (every segment's). Runs in the batch's transaction, every
     * {@code phasegate.metrics.prune-counted-every} counted events, so the table holds about the events of the
     * last interval and of open gaps instead of one row per event ever counted.
     */
    private void pruneCounted() {
        storedTokens.lowestUnprocessed(GROUP).ifPresent(lowest ->
                jdbc.update("DELETE FROM workflow_metrics_counted WHERE position < ?", lowest));
    }

    @ResetHandler
    void reset() {
        for (String table : List.of("workflow_gate_blocks", "workflow_metrics", "workflow_metrics_tasks",
                "workflow_metrics_counted")) {
            jdbc.update("DELETE FROM " + table);
        }
    }

    @QueryHandler
    public Optional<WorkflowMetricsView> handle(FindWorkflowMetricsQuery query) {
        Map<String, Long> blocks = new TreeMap<>();
        jdbc.query("SELECT code, blocks FROM workflow_gate_blocks WHERE org_id = ? AND workflow_id = ?",
                rs -> {
                    blocks.put(rs.getString("code"), rs.getLong("blocks"));
                }, query.orgId(), query.workflowId());
        return jdbc.query("SELECT * FROM workflow_metrics WHERE org_id = ? AND workflow_id = ?", (rs, row) -> {
            long attempted = rs.getLong("transitions_attempted");
            long rejected = rs.getLong("transitions_rejected");
            long calls = rs.getLong("tool_calls");
            long violations = rs.getLong("tool_violations");
            return new WorkflowMetricsView(rs.getString("org_id"), rs.getString("workflow_id"), attempted, rejected,
                    rate(rejected, attempted), blocks, calls, rs.getLong("tool_calls_denied"),
                    rs.getLong("tool_calls_warned"), violations, rate(violations, calls),
                    rs.getLong("approvals_requested"), rs.getLong("position"));
        }, query.orgId(), query.workflowId()).stream().findFirst();
    }

    static double rate(long part, long whole) {
        return whole == 0 ? 0.0 : (double) part / whole;
    }

    /**
     * Adds an event's counts ({@code increments}: SQL assignments) to its workflow's row, creating the row when
     * missing; returns false when this event has been counted already (redelivery). The event is recorded in
     * {@code workflow_metrics_counted} by its exact position; the row's {@code position} is the highest counted.
     */
    private boolean count(String orgId, String workflowId, long position, String increments) {
        Integer counted = jdbc.queryForObject("SELECT COUNT(*) FROM workflow_metrics_counted WHERE position = ?",
                Integer.class, position);
        if (counted != null && counted > 0) {
            return false;
        }
        jdbc.update("INSERT INTO workflow_metrics_counted (position) VALUES (?)", position);
        if (countedSincePrune.incrementAndGet() >= pruneEvery) {
            countedSincePrune.set(0);
            pruneCounted();
        }
        if (!rowExists(orgId, workflowId)) {
            jdbc.update("""
                            INSERT INTO workflow_metrics (org_id, workflow_id, transitions_attempted,
                                                          transitions_rejected, tool_calls, tool_calls_denied,
                                                          tool_calls_warned, tool_violations, approvals_requested,
                                                          position)
                            VALUES (?, ?, 0, 0, 0, 0, 0, 0, 0, ?)""",
                    orgId, workflowId, position);
        }
        jdbc.update("UPDATE workflow_metrics SET " + increments + ", position = CASE WHEN position < ? THEN ? "
                + "ELSE position END WHERE org_id = ? AND workflow_id = ?", position, position, orgId, workflowId);
        return true;
    }

    private boolean rowExists(String orgId, String workflowId) {
        Integer count = jdbc.queryForObject("SELECT COUNT(*) FROM workflow_metrics WHERE org_id = ? AND workflow_id = ?",
                Integer.class, orgId, workflowId);
        return count != null && count > 0;
    }

    private long position(TrackingToken token) {
        return positions.current(token);
    }
}
