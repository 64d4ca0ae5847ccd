package io.phasegate.query.task;

import io.phasegate.events.task.AgentSnapshotView;
import io.phasegate.events.task.ClaimableTaskList;
import io.phasegate.events.task.FindAgentSnapshotQuery;
import io.phasegate.events.task.FindClaimableTasksQuery;
import io.phasegate.events.task.FindTaskClaimStateQuery;
import io.phasegate.events.task.FindTaskQuery;
import io.phasegate.events.task.FindTaskReviewsQuery;
import io.phasegate.events.task.FindTasksQuery;
import io.phasegate.events.task.ReviewRoundList;
import io.phasegate.events.task.TaskClaimStateView;
import io.phasegate.events.task.TaskPage;
import io.phasegate.events.task.TaskStatus;
import io.phasegate.events.task.TaskView;
import io.phasegate.events.tool.FindTaskApprovalsQuery;
import io.phasegate.events.tool.ToolApprovalList;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** The query handlers of the task read model (written by {@link TaskProjection}, read through {@link TaskViews}). */
@Component
public class TaskQueries {

    private final JdbcTemplate jdbc;
    private final TaskViews views;

    public TaskQueries(JdbcTemplate jdbc, TaskViews views) {
        this.jdbc = jdbc;
        this.views = views;
    }

    @QueryHandler
    public Optional<TaskView> handle(FindTaskQuery query) {
        return views.find(query.orgId(), query.taskId());
    }

    @QueryHandler
    public TaskPage handle(FindTasksQuery query) {
        StringBuilder sql = new StringBuilder("SELECT * FROM tasks WHERE org_id = ?");
        List<Object> args = new ArrayList<>(List.of(query.orgId()));
        if (query.projectId() != null) {
            sql.append(" AND project_id = ?");
            args.add(query.projectId());
        }
        if (query.status() != null) {
            sql.append(" AND status = ?");
            args.add(query.status());
        }
        if (query.workflowId() != null) {
            sql.append(" AND workflow_id = ?");
            args.add(query.workflowId());
        }
        if (query.after() != null) {
            sql.append(" AND created_position < ?");
            args.add(Long.parseLong(query.after()));
        }
        sql.append(" ORDER BY created_position DESC LIMIT ?");
        args.add(query.limit() + 1);
        List<TaskView> rows = views.select(sql.toString(), args.toArray());
        String next = null;
        if (rows.size() > query.limit()) {
            rows = rows.subList(0, query.limit());
            next = Long.toString(jdbc.queryForObject("SELECT created_position FROM tasks WHERE task_id = ?",
                    Long.class, rows.get(rows.size() - 1).taskId()));
        }
        return new TaskPage(List.copyOf(rows), next);
    }

    /**
     * Status {@code created}, no dependency that is not completed (an unknown dependency counts as not completed),
     * and, when capabilities are given, no required capability outside them.
     */
    @QueryHandler
    public ClaimableTaskList handle(FindClaimableTasksQuery query) {
        StringBuilder sql = new StringBuilder("""
                SELECT t.* FROM tasks t
                WHERE t.org_id = ? AND t.status = ?
                  AND NOT EXISTS (SELECT 1 FROM task_dependencies d
                                  LEFT JOIN tasks dt ON dt.task_id = d.depends_on_id AND dt.org_id = d.org_id
                                  WHERE d.task_id = t.task_id AND (dt.status IS NULL OR dt.status <> ?))""");
        List<Object> args = new ArrayList<>(List.of(query.orgId(), TaskStatus.CREATED.wire(),
                TaskStatus.COMPLETED.wire()));
        if (query.projectId() != null) {
            sql.append(" AND t.project_id = ?");
            args.add(query.projectId());
        }
        if (query.capabilities() != null) {
            List<String> capabilities = List.copyOf(new LinkedHashSet<>(query.capabilities()));
            sql.append(" AND NOT EXISTS (SELECT 1 FROM task_capabilities c WHERE c.task_id = t.task_id");
            if (!capabilities.isEmpty()) {
                sql.append(" AND c.capability NOT IN (").append(TaskViews.placeholders(capabilities)).append(')');
                args.addAll(capabilities);
            }
            sql.append(')');
        }
        sql.append(" ORDER BY t.priority DESC, t.created_position ASC LIMIT ?");
        args.add(query.limit());
        return new ClaimableTaskList(views.select(sql.toString(), args.toArray()));
    }

    @QueryHandler
    public Optional<TaskClaimStateView> handle(FindTaskClaimStateQuery query) {
        return views.claimState(query.taskId());
    }

    @QueryHandler
    public Optional<AgentSnapshotView> handle(FindAgentSnapshotQuery query) {
        return views.snapshot(query.orgId(), query.taskId());
    }

    @QueryHandler
    public Optional<ReviewRoundList> handle(FindTaskReviewsQuery query) {
        if (!exists(query.orgId(), query.taskId())) {
            return Optional.empty();
        }
        return Optional.of(new ReviewRoundList(views.reviewRounds(query.taskId())));
    }

    @QueryHandler
    public Optional<ToolApprovalList> handle(FindTaskApprovalsQuery query) {
        if (!exists(query.orgId(), query.taskId())) {
            return Optional.empty();
        }
        return Optional.of(new ToolApprovalList(views.approvals(query.taskId(), query.status())));
    }

    private boolean exists(String orgId, String taskId) {
        Integer count = jdbc.queryForObject("SELECT COUNT(*) FROM tasks WHERE task_id = ? AND org_id = ?",
                Integer.class, taskId, orgId);
        return count != null && count > 0;
    }
}
