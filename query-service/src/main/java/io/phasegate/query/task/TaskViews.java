package io.phasegate.query.task;

import io.phasegate.events.task.AgentSnapshotView;
import io.phasegate.events.task.AllowedToolView;
import io.phasegate.events.task.CompletedTaskView;
import io.phasegate.events.task.ReviewRoundView;
import io.phasegate.events.task.ReviewView;
import io.phasegate.events.task.TaskClaimStateView;
import io.phasegate.events.task.TaskDependencyView;
import io.phasegate.events.task.TaskStatus;
import io.phasegate.events.task.TaskView;
import io.phasegate.events.task.TransitionBlocker;
import io.phasegate.events.tool.ToolApprovalView;
import io.phasegate.query.workflow.WorkflowPolicies;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectMapper;

/**
 * Reads the task read model: a {@code tasks} row joined with its dependencies, review rounds, pending approvals
 * and the current phase's tools (from the {@code workflows} read model) makes a {@link TaskView}. Lists are
 * assembled with one query per child table for the whole page, not per task.
 */
@Component
public class TaskViews {

    static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };
    static final TypeReference<List<TransitionBlocker>> BLOCKERS = new TypeReference<>() {
    };
    static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final WorkflowPolicies policies;

    public TaskViews(JdbcTemplate jdbc, ObjectMapper json, WorkflowPolicies policies) {
        this.jdbc = jdbc;
        this.json = json;
        this.policies = policies;
    }

    public Optional<TaskView> find(String orgId, String taskId) {
        List<TaskState> rows = jdbc.query("SELECT * FROM tasks WHERE task_id = ? AND org_id = ?", this::state,
                taskId, orgId);
        return assemble(rows).stream().findFirst();
    }

    /** Rows selected by {@code sql} (which must select {@code *} of {@code tasks}), as views, in their order. */
    public List<TaskView> select(String sql, Object... args) {
        return assemble(jdbc.query(sql, this::state, args));
    }

    public Optional<TaskClaimStateView> claimState(String taskId) {
        return jdbc.query("SELECT * FROM tasks WHERE task_id = ?", this::state, taskId).stream().findFirst()
                .map(r -> new TaskClaimStateView(r.taskId(), r.orgId(), r.projectId(), r.status(), r.phase(),
                        r.claimedBy(), r.tokenGeneration(), r.position()));
    }

    public Optional<AgentSnapshotView> snapshot(String orgId, String taskId) {
        return find(orgId, taskId).map(task -> new AgentSnapshotView(task, task.dependencies(),
                jdbc.query("""
                                SELECT task_id, title, completed_at FROM tasks
                                WHERE org_id = ? AND project_id = ? AND status = ? AND task_id <> ?
                                ORDER BY completed_at DESC, position DESC LIMIT ?""",
                        (rs, row) -> new CompletedTaskView(rs.getString("task_id"), rs.getString("title"),
                                instant(rs.getTimestamp("completed_at"))),
                        orgId, task.projectId(), TaskStatus.COMPLETED.wire(), taskId,
                        AgentSnapshotView.MAX_COMPLETED_TASKS),
                task.blockers()));
    }

    /** Every review round of the task, oldest first. */
    public List<ReviewRoundView> reviewRounds(String taskId) {
        return reviewRounds(List.of(taskId)).getOrDefault(taskId, List.of());
    }

    /** The tool approvals of the task, oldest first; only those of {@code status} unless it is null. */
    public List<ToolApprovalView> approvals(String taskId, String status) {
        return status == null
                ? jdbc.query("SELECT * FROM tool_approvals WHERE task_id = ? ORDER BY position", this::approval, taskId)
                : jdbc.query("SELECT * FROM tool_approvals WHERE task_id = ? AND status = ? ORDER BY position",
                this::approval, taskId, status);
    }

    /**
     * The {@code tasks} rows of {@code taskIds} that exist, by task id (whatever their organisation: the projection's
     * fold checks that).
     */
    Map<String, TaskState> states(Collection<String> taskIds) {
        Map<String, TaskState> states = new HashMap<>();
        if (!taskIds.isEmpty()) {
            jdbc.query("SELECT * FROM tasks WHERE task_id IN (%s)".formatted(placeholders(taskIds)),
                    rs -> {
                        TaskState state = state(rs, 0);
                        states.put(state.taskId(), state);
                    }, taskIds.toArray());
        }
        return states;
    }

    private List<TaskView> assemble(List<TaskState> rows) {
        if (rows.isEmpty()) {
            return List.of();
        }
        List<String> ids = rows.stream().map(TaskState::taskId).toList();
        Map<String, List<TaskDependencyView>> dependencies = dependencies(ids);
        Map<String, List<ReviewRoundView>> rounds = reviewRounds(ids);
        Map<String, List<ToolApprovalView>> pending = pendingApprovals(ids);
        List<TaskView> views = new ArrayList<>(rows.size());
        for (TaskState r : rows) {
            List<ReviewRoundView> taskRounds = rounds.getOrDefault(r.taskId(), List.of());
            views.add(new TaskView(r.taskId(), r.orgId(), r.projectId(), r.title(), r.description(), r.status(),
                    r.phase(), r.claimedBy(), r.leaseExpiresAt(), r.workflowId(), r.workflowVersion(), r.dependsOn(),
                    r.requiredCapabilities(), r.priority(), r.createdBy(), r.createdAt(), r.updatedAt(),
                    r.position(), r.blockers(), taskRounds.isEmpty() ? null : taskRounds.get(taskRounds.size() - 1),
                    allowedTools(r), dependencies.getOrDefault(r.taskId(), List.of()),
                    pending.getOrDefault(r.taskId(), List.of()), r.completedAt(), r.cancelledAt()));
        }
        return views;
    }

    private List<AllowedToolView> allowedTools(TaskState r) {
        if (TaskStatus.COMPLETED.wire().equals(r.status()) || TaskStatus.CANCELLED.wire().equals(r.status())) {
            return List.of();
        }
        return policies.allowedTools(r.orgId(), r.workflowId(), r.workflowVersion(), r.phase());
    }

    private Map<String, List<TaskDependencyView>> dependencies(List<String> ids) {
        Map<String, List<TaskDependencyView>> byTask = new HashMap<>();
        jdbc.query("""
                        SELECT d.task_id, d.depends_on_id, t.title, t.status FROM task_dependencies d
                        LEFT JOIN tasks t ON t.task_id = d.depends_on_id AND t.org_id = d.org_id
                        WHERE d.task_id IN (%s) ORDER BY d.task_id, d.ordinal""".formatted(placeholders(ids)),
                rs -> {
                    String status = rs.getString("status");
                    byTask.computeIfAbsent(rs.getString("task_id"), id -> new ArrayList<>())
                            .add(new TaskDependencyView(rs.getString("depends_on_id"), rs.getString("title"),
                                    status == null ? TaskDependencyView.UNKNOWN : status));
                }, ids.toArray());
        return byTask;
    }

    private Map<String, List<ReviewRoundView>> reviewRounds(List<String> ids) {
        record RoundKey(String taskId, int round) {
        }
        Map<RoundKey, Object[]> requested = new LinkedHashMap<>();
        jdbc.query("SELECT * FROM task_review_rounds WHERE task_id IN (%s)".formatted(placeholders(ids)), rs -> {
            requested.put(new RoundKey(rs.getString("task_id"), rs.getInt("round")), new Object[]{
                    rs.getString("phase"), rs.getInt("requested_count"), rs.getString("role"),
                    instant(rs.getTimestamp("requested_at"))});
        }, ids.toArray());
        Map<RoundKey, List<ReviewView>> submitted = new HashMap<>();
        Map<String, Map<Integer, String>> submittedPhases = new HashMap<>();
        jdbc.query("SELECT * FROM task_reviews WHERE task_id IN (%s) ORDER BY position".formatted(placeholders(ids)),
                rs -> {
                    ReviewView review = new ReviewView(rs.getString("review_id"), rs.getInt("round"),
                            rs.getString("phase"), rs.getString("reviewer_id"), rs.getString("verdict"),
                            rs.getString("comments"), instant(rs.getTimestamp("submitted_at")));
                    String taskId = rs.getString("task_id");
                    submitted.computeIfAbsent(new RoundKey(taskId, review.round()), k -> new ArrayList<>()).add(review);
                    submittedPhases.computeIfAbsent(taskId, k -> new HashMap<>()).putIfAbsent(review.round(), review.phase());
                }, ids.toArray());
        Map<String, TreeMap<Integer, ReviewRoundView>> byTask = new HashMap<>();
        for (Map.Entry<RoundKey, Object[]> entry : requested.entrySet()) {
            RoundKey key = entry.getKey();
            Object[] r = entry.getValue();
            byTask.computeIfAbsent(key.taskId(), k -> new TreeMap<>()).put(key.round(),
                    new ReviewRoundView(key.round(), (String) r[0], (Integer) r[1], (String) r[2], (Instant) r[3],
                            submitted.getOrDefault(key, List.of())));
        }
        // reviews of a round whose request is not (yet) known still show up
        for (Map.Entry<RoundKey, List<ReviewView>> entry : submitted.entrySet()) {
            RoundKey key = entry.getKey();
            byTask.computeIfAbsent(key.taskId(), k -> new TreeMap<>()).computeIfAbsent(key.round(),
                    round -> new ReviewRoundView(round, submittedPhases.get(key.taskId()).get(round), 0, null, null,
                            entry.getValue()));
        }
        Map<String, List<ReviewRoundView>> result = new HashMap<>();
        byTask.forEach((taskId, rounds) -> result.put(taskId, List.copyOf(rounds.values())));
        return result;
    }

    private Map<String, List<ToolApprovalView>> pendingApprovals(List<String> ids) {
        List<Object> args = new ArrayList<>(ids);
        args.add(ToolApprovalView.PENDING);
        Map<String, List<ToolApprovalView>> byTask = new HashMap<>();
        for (ToolApprovalView approval : jdbc.query("SELECT * FROM tool_approvals WHERE task_id IN (%s) AND status = ?"
                .formatted(placeholders(ids)) + " ORDER BY position", this::approval, args.toArray())) {
            byTask.computeIfAbsent(approval.taskId(), k -> new ArrayList<>()).add(approval);
        }
        return byTask;
    }

    private ToolApprovalView approval(ResultSet rs, int row) throws SQLException {
        return new ToolApprovalView(rs.getString("approval_id"), rs.getString("task_id"), rs.getString("call_id"),
                rs.getString("agent_id"), rs.getString("phase"), rs.getString("tool_name"),
                rs.getString("args_digest"), json.readValue(rs.getString("args_summary"), OBJECT),
                rs.getString("status"), instant(rs.getTimestamp("requested_at")), rs.getString("decided_by"),
                rs.getString("comment"), instant(rs.getTimestamp("decided_at")));
    }

    /** A {@code tasks} row (every column of it). */
    TaskState state(ResultSet rs, int row) throws SQLException {
        String blockers = rs.getString("blockers");
        return new TaskState(rs.getString("task_id"), rs.getString("org_id"), rs.getString("project_id"),
                rs.getString("title"), rs.getString("description"), rs.getString("workflow_id"),
                rs.getInt("workflow_version"), json.readValue(rs.getString("depends_on"), STRINGS),
                json.readValue(rs.getString("required_capabilities"), STRINGS), rs.getInt("priority"),
                rs.getString("created_by"), instant(rs.getTimestamp("created_at")), rs.getLong("created_position"),
                rs.getString("status"), rs.getString("phase"), rs.getString("claimed_by"),
                instant(rs.getTimestamp("lease_expires_at")), rs.getLong("token_generation"),
                blockers == null ? null : json.readValue(blockers, BLOCKERS),
                instant(rs.getTimestamp("completed_at")), instant(rs.getTimestamp("cancelled_at")),
                instant(rs.getTimestamp("updated_at")), rs.getLong("position"));
    }

    static String placeholders(Collection<?> values) {
        return String.join(", ", Collections.nCopies(values.size(), "?"));
    }

    static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
