package io.phasegate.query.tool;

import io.phasegate.platform.axon.EventStorePositions;
import io.phasegate.events.tool.FindToolCallsQuery;
import io.phasegate.events.tool.ToolCallDecidedEvent;
import io.phasegate.events.tool.ToolCallOutcomeReportedEvent;
import io.phasegate.events.tool.ToolCallOutcomeView;
import io.phasegate.events.tool.ToolCallPage;
import io.phasegate.events.tool.ToolCallView;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectMapper;

/**
 * The tool-call log ({@code tool_calls} table): one row per decided call, keyed by call id, with the outcome the
 * agent or the executor reported later. Idempotent: a decision is inserted only when its call is absent; an outcome
 * applies only when it is newer ({@code outcome_position}) than the one recorded. A reset empties the table.
 * Ordered by the position of the decision event, which is also the page cursor.
 */
@Component
@ProcessingGroup(ToolCallProjection.GROUP)
public class ToolCallProjection {

    public static final String GROUP = "tool-calls";

    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;

    public ToolCallProjection(JdbcTemplate jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    @EventHandler
    void on(ToolCallDecidedEvent event, TrackingToken token) {
        long position = EventStorePositions.position(token).orElse(0L);
        Integer existing = jdbc.queryForObject("SELECT COUNT(*) FROM tool_calls WHERE call_id = ?", Integer.class,
                event.callId());
        if (existing != null && existing > 0) {
            return; // delivered again (or a call id used twice: the first decision stays)
        }
        jdbc.update("""
                        INSERT INTO tool_calls (call_id, task_id, org_id, agent_id, workflow_id, workflow_version, phase,
                                                tool_name, args_digest, args_summary, decision, code, reason,
                                                approval_id, warnings, decided_at, position)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                event.callId(), event.taskId(), event.orgId(), event.agentId(), event.workflowId(),
                event.workflowVersion(), event.phase(), event.toolName(), event.argsDigest(),
                json.writeValueAsString(event.argsSummary() == null ? Map.of() : event.argsSummary()),
                event.decision(), event.code(), event.reason(), event.approvalId(),
                json.writeValueAsString(event.warnings() == null ? List.of() : event.warnings()),
                Timestamp.from(event.decidedAt()), position);
    }

    @EventHandler
    void on(ToolCallOutcomeReportedEvent event, TrackingToken token) {
        long position = EventStorePositions.position(token).orElse(0L);
        jdbc.update("""
                        UPDATE tool_calls SET outcome_status = ?, outcome_summary = ?, outcome_source = ?,
                                              outcome_reported_at = ?, outcome_position = ?
                        WHERE call_id = ? AND org_id = ? AND (outcome_position IS NULL OR outcome_position < ?)""",
                event.status(), event.summary(), event.source(), Timestamp.from(event.reportedAt()), position,
                event.callId(), event.orgId(), position);
    }

    @ResetHandler
    void reset() {
        jdbc.update("DELETE FROM tool_calls");
    }

    @QueryHandler
    public ToolCallPage handle(FindToolCallsQuery query) {
        StringBuilder sql = new StringBuilder("SELECT * FROM tool_calls WHERE org_id = ?");
        List<Object> args = new ArrayList<>(List.of(query.orgId()));
        if (query.taskId() != null) {
            sql.append(" AND task_id = ?");
            args.add(query.taskId());
        }
        if (query.agentId() != null) {
            sql.append(" AND agent_id = ?");
            args.add(query.agentId());
        }
        if (query.decision() != null) {
            sql.append(" AND decision = ?");
            args.add(query.decision());
        }
        if (query.after() != null) {
            sql.append(" AND position < ?");
            args.add(Long.parseLong(query.after()));
        }
        sql.append(" ORDER BY position DESC LIMIT ?");
        args.add(query.limit() + 1);
        List<ToolCallView> rows = jdbc.query(sql.toString(), this::map, args.toArray());
        String next = null;
        if (rows.size() > query.limit()) {
            rows = rows.subList(0, query.limit());
            next = Long.toString(rows.get(rows.size() - 1).position());
        }
        return new ToolCallPage(rows, next);
    }

    private ToolCallView map(ResultSet rs, int row) throws SQLException {
        String outcomeStatus = rs.getString("outcome_status");
        ToolCallOutcomeView outcome = outcomeStatus == null ? null : new ToolCallOutcomeView(outcomeStatus,
                rs.getString("outcome_summary"), rs.getString("outcome_source"),
                instant(rs.getTimestamp("outcome_reported_at")));
        return new ToolCallView(rs.getString("call_id"), rs.getString("task_id"), rs.getString("org_id"),
                rs.getString("agent_id"), rs.getString("workflow_id"), rs.getInt("workflow_version"),
                rs.getString("phase"), rs.getString("tool_name"), rs.getString("args_digest"),
                json.readValue(rs.getString("args_summary"), OBJECT), rs.getString("decision"), rs.getString("code"),
                rs.getString("reason"), rs.getString("approval_id"), json.readValue(rs.getString("warnings"), STRINGS),
                outcome, instant(rs.getTimestamp("decided_at")), rs.getLong("position"));
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
