package io.phasegate.query.workflow;

import io.phasegate.platform.axon.EventStorePositions;
import io.phasegate.events.workflow.FindWorkflowQuery;
import io.phasegate.events.workflow.FindWorkflowsQuery;
import io.phasegate.events.workflow.WorkflowDefinition;
import io.phasegate.events.workflow.WorkflowList;
import io.phasegate.events.workflow.WorkflowPublishedEvent;
import io.phasegate.events.workflow.WorkflowView;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.Optional;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.ResetHandler;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.queryhandling.QueryHandler;
import org.axonframework.queryhandling.QueryUpdateEmitter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.ObjectMapper;

/** Published workflow versions per organisation ({@code workflows} table) and their query handlers. */
@Component
@ProcessingGroup(WorkflowProjection.GROUP)
public class WorkflowProjection {

    public static final String GROUP = "workflows";

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final QueryUpdateEmitter updates;

    public WorkflowProjection(JdbcTemplate jdbc, ObjectMapper json, QueryUpdateEmitter updates) {
        this.jdbc = jdbc;
        this.json = json;
        this.updates = updates;
    }

    @EventHandler
    void on(WorkflowPublishedEvent event, TrackingToken token) {
        long position = EventStorePositions.position(token).orElse(0L);
        Integer existing = jdbc.queryForObject(
                "SELECT COUNT(*) FROM workflows WHERE org_id = ? AND workflow_id = ? AND version = ?", Integer.class,
                event.orgId(), event.workflowId(), event.version());
        if (existing != null && existing > 0) {
            return;
        }
        jdbc.update("""
                        INSERT INTO workflows (org_id, workflow_id, version, enforcement, definition, published_by,
                                               published_at, position)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
                event.orgId(), event.workflowId(), event.version(),
                event.definition().enforcement().name().toLowerCase(),
                json.writeValueAsString(event.definition()), event.publishedBy(),
                Timestamp.from(event.publishedAt()), position);
        WorkflowView view = new WorkflowView(event.orgId(), event.workflowId(), event.version(),
                event.definition().enforcement().name().toLowerCase(), event.definition(), event.publishedBy(),
                event.publishedAt(), position);
        updates.emit(FindWorkflowQuery.class, q -> q.orgId().equals(view.orgId())
                && q.workflowId().equals(view.workflowId()) && q.version() == null, view);
    }

    @ResetHandler
    void reset() {
        jdbc.update("DELETE FROM workflows");
    }

    @QueryHandler
    public Optional<WorkflowView> handle(FindWorkflowQuery query) {
        String sql = query.version() == null
                ? "SELECT * FROM workflows WHERE org_id = ? AND workflow_id = ? ORDER BY version DESC LIMIT 1"
                : "SELECT * FROM workflows WHERE org_id = ? AND workflow_id = ? AND version = ?";
        Object[] args = query.version() == null ? new Object[]{query.orgId(), query.workflowId()}
                : new Object[]{query.orgId(), query.workflowId(), query.version()};
        return jdbc.query(sql, this::map, args).stream().findFirst();
    }

    @QueryHandler
    public WorkflowList handle(FindWorkflowsQuery query) {
        return new WorkflowList(jdbc.query("""
                SELECT w.* FROM workflows w
                WHERE w.org_id = ? AND w.version = (SELECT MAX(v.version) FROM workflows v
                                                    WHERE v.org_id = w.org_id AND v.workflow_id = w.workflow_id)
                ORDER BY w.workflow_id""", this::map, query.orgId()));
    }

    private WorkflowView map(ResultSet rs, int row) throws SQLException {
        return new WorkflowView(rs.getString("org_id"), rs.getString("workflow_id"), rs.getInt("version"),
                rs.getString("enforcement"), json.readValue(rs.getString("definition"), WorkflowDefinition.class),
                rs.getString("published_by"), rs.getTimestamp("published_at").toInstant(), rs.getLong("position"));
    }
}
