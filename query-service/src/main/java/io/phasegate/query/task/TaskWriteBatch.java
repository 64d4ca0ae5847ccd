package io.phasegate.query.task;

import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.messaging.Message;
import org.axonframework.messaging.unitofwork.BatchingUnitOfWork;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.ObjectMapper;

/**
 * The writes of {@link TaskProjection} within one unit of work (a processor's batch of events, one transaction),
 * held back and written together when the unit of work prepares its commit, so that a batch costs a handful of
 * statements instead of several per event — what makes a rebuild fast (see {@code ProjectionRebuildBenchmark}).
 *
 * <ul>
 *   <li>Task states are read once per batch (every task of the batch's events in one query) and then kept here;
 *   the fold's result is the only truth within the batch, and each changed task's row is written once, in its
 *   final state (a new task as one multi-row insert, a changed one as an update guarded by {@code position}).</li>
 *   <li>Child rows keep their rules: dependencies and capabilities replace leftovers of a removed task row;
 *   review rounds, reviews and approvals are inserted only when absent; approval decisions apply only when newer
 *   ({@code position}). They are written after the task rows, in the order of their events within each table.</li>
 *   <li>{@link #flush()} writes everything pending at once; the projection calls it before it reads its own tables
 *   (to emit a view to a subscriber), so reads always see every earlier event of the batch.</li>
 * </ul>
 * Outside a unit of work (a direct call) nothing is held back: every write is made at once. When the unit of work
 * rolls back, the pending writes and the states are dropped with it.
 */
final class TaskWriteBatch {

    private static final String RESOURCE = TaskWriteBatch.class.getName();
    /** Rows per multi-row statement (stays far below the bind-parameter limits of H2 and PostgreSQL). */
    private static final int ROWS_PER_STATEMENT = 200;
    private static final ClassValue<Method> TASK_ID = new ClassValue<>() {
        @Override
        protected Method computeValue(Class<?> type) {
            if (type.isRecord()) {
                for (RecordComponent component : type.getRecordComponents()) {
                    if (component.getName().equals("taskId") && component.getType() == String.class) {
                        return component.getAccessor();
                    }
                }
            }
            return null;
        }
    };

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final TaskViews views;
    private final UnitOfWork<?> unitOfWork;
    private boolean prefetched;

    /** Task states read or written in this unit of work, by task id; empty: the task has no row. */
    private final Map<String, Optional<TaskState>> known = new HashMap<>();
    /** Changed task states not yet written, in the order of their first change. */
    private final Map<String, TaskState> dirty = new LinkedHashMap<>();
    /** Tasks of {@link #dirty} that have no row yet. */
    private final Set<String> inserts = new HashSet<>();
    private final List<TaskState> created = new ArrayList<>();
    private final List<Object[]> reviewRounds = new ArrayList<>();
    private final List<Object[]> reviews = new ArrayList<>();
    private final List<Object[]> approvals = new ArrayList<>();
    private final List<Object[]> decisions = new ArrayList<>();

    private TaskWriteBatch(JdbcTemplate jdbc, ObjectMapper json, TaskViews views, UnitOfWork<?> unitOfWork) {
        this.jdbc = jdbc;
        this.json = json;
        this.views = views;
        this.unitOfWork = unitOfWork;
    }

    /** The batch of the current unit of work (written when it prepares its commit), or a batch of one event. */
    static TaskWriteBatch current(JdbcTemplate jdbc, ObjectMapper json, TaskViews views) {
        if (!CurrentUnitOfWork.isStarted()) {
            return new TaskWriteBatch(jdbc, json, views, null);
        }
        UnitOfWork<?> root = CurrentUnitOfWork.get().root();
        return root.getOrComputeResource(RESOURCE, key -> {
            TaskWriteBatch batch = new TaskWriteBatch(jdbc, json, views, root);
            root.onPrepareCommit(uow -> batch.flush());
            return batch;
        });
    }

    /** The task's state as of the events of this batch applied so far; null when it does not exist. */
    TaskState state(String taskId) {
        Optional<TaskState> state = known.get(taskId);
        if (state == null) {
            prefetch(taskId);
            state = known.computeIfAbsent(taskId, id -> Optional.empty());
        }
        return state.orElse(null);
    }

    /** Records the fold's new state of a task ({@code before}: its state before the event, null for a new task). */
    void write(TaskState before, TaskState after) {
        if (before == null) {
            inserts.add(after.taskId());
            created.add(after);
        }
        known.put(after.taskId(), Optional.of(after));
        dirty.put(after.taskId(), after);
        flushIfStandalone();
    }

    void insertReviewRoundIfAbsent(Object... values) {
        reviewRounds.add(values);
        flushIfStandalone();
    }

    void insertReviewIfAbsent(Object... values) {
        reviews.add(values);
        flushIfStandalone();
    }

    void insertApprovalIfAbsent(Object... values) {
        approvals.add(values);
        flushIfStandalone();
    }

    void decideApproval(Object... values) {
        decisions.add(values);
        flushIfStandalone();
    }

    /** Outside a unit of work nothing is held back. */
    private void flushIfStandalone() {
        if (unitOfWork == null) {
            flush();
        }
    }

    /** Writes everything pending. */
    void flush() {
        if (dirty.isEmpty() && reviewRounds.isEmpty() && reviews.isEmpty() && approvals.isEmpty()
                && decisions.isEmpty()) {
            return;
        }
        writeTasks();
        writeCreatedChildren();
        insertAbsent("task_review_rounds", "task_id, round, org_id, phase, requested_count, role, requested_at, position",
                reviewRounds, 2);
        insertAbsent("task_reviews", "review_id, task_id, org_id, round, phase, reviewer_id, verdict, comments, "
                + "submitted_at, position", reviews, 1);
        insertAbsent("tool_approvals", "approval_id, task_id, org_id, agent_id, phase, call_id, tool_name, args_digest, "
                + "args_summary, status, requested_at, position", approvals, 1);
        if (!decisions.isEmpty()) {
            batch("""
                    UPDATE tool_approvals SET status = ?, decided_by = ?, comment = ?, decided_at = ?, position = ?
                    WHERE approval_id = ? AND task_id = ? AND position < ?""", decisions);
        }
        dirty.clear();
        inserts.clear();
        created.clear();
        reviewRounds.clear();
        reviews.clear();
        approvals.clear();
        decisions.clear();
    }

    private void writeTasks() {
        List<Object[]> newRows = new ArrayList<>();
        List<Object[]> updates = new ArrayList<>();
        for (TaskState s : dirty.values()) {
            if (inserts.contains(s.taskId())) {
                newRows.add(new Object[]{s.taskId(), s.orgId(), s.projectId(), s.title(), s.description(),
                        s.status(), s.phase(), s.workflowId(), s.workflowVersion(), json.writeValueAsString(s.dependsOn()),
                        json.writeValueAsString(s.requiredCapabilities()), s.priority(), s.createdBy(),
                        timestamp(s.createdAt()), timestamp(s.updatedAt()), s.createdPosition(), s.position(),
                        s.claimedBy(), timestamp(s.leaseExpiresAt()), s.tokenGeneration(), blockers(s),
                        timestamp(s.completedAt()), timestamp(s.cancelledAt())});
            } else {
                updates.add(new Object[]{s.status(), s.phase(), s.claimedBy(), timestamp(s.leaseExpiresAt()),
                        s.tokenGeneration(), blockers(s), timestamp(s.completedAt()), timestamp(s.cancelledAt()),
                        timestamp(s.updatedAt()), s.position(), s.taskId(), s.orgId(), s.position()});
            }
        }
        insert("tasks", "task_id, org_id, project_id, title, description, status, phase, workflow_id, workflow_version, "
                + "depends_on, required_capabilities, priority, created_by, created_at, updated_at, created_position, "
                + "position, claimed_by, lease_expires_at, token_generation, blockers, completed_at, cancelled_at",
                newRows);
        if (!updates.isEmpty()) {
            batch("""
                    UPDATE tasks SET status = ?, phase = ?, claimed_by = ?, lease_expires_at = ?, token_generation = ?,
                                     blockers = ?, completed_at = ?, cancelled_at = ?, updated_at = ?, position = ?
                    WHERE task_id = ? AND org_id = ? AND position < ?""", updates);
        }
    }

    /** Dependencies and capabilities of new tasks; leftovers of a removed row of the same task are replaced. */
    private void writeCreatedChildren() {
        if (created.isEmpty()) {
            return;
        }
        List<String> ids = created.stream().map(TaskState::taskId).toList();
        for (List<String> chunk : chunks(ids)) {
            String in = TaskViews.placeholders(chunk);
            jdbc.update("DELETE FROM task_dependencies WHERE task_id IN (" + in + ")", chunk.toArray());
            jdbc.update("DELETE FROM task_capabilities WHERE task_id IN (" + in + ")", chunk.toArray());
        }
        List<Object[]> dependencies = new ArrayList<>();
        List<Object[]> capabilities = new ArrayList<>();
        for (TaskState task : created) {
            int ordinal = 0;
            for (String dependency : new LinkedHashSet<>(task.dependsOn())) {
                dependencies.add(new Object[]{task.taskId(), dependency, task.orgId(), ordinal++});
            }
            for (String capability : new LinkedHashSet<>(task.requiredCapabilities())) {
                capabilities.add(new Object[]{task.taskId(), capability});
            }
        }
        insert("task_dependencies", "task_id, depends_on_id, org_id, ordinal", dependencies);
        insert("task_capabilities", "task_id, capability", capabilities);
    }

    /**
     * Inserts the rows whose key (the first {@code keyColumns} values) has no row yet; of rows with the same key, the
     * first.
     */
    private void insertAbsent(String table, String columns, List<Object[]> rows, int keyColumns) {
        if (rows.isEmpty()) {
            return;
        }
        Function<Object[], List<Object>> key = row -> new ArrayList<>(Arrays.asList(row).subList(0, keyColumns));
        Map<List<Object>, Object[]> candidates = new LinkedHashMap<>();
        for (Object[] row : rows) {
            candidates.putIfAbsent(key.apply(row), row);
        }
        String[] names = columns.split(",\\s*");
        List<Object> firstKeys = candidates.keySet().stream().map(k -> k.get(0)).distinct().toList();
        Set<List<Object>> existing = new HashSet<>();
        for (List<Object> chunk : chunks(firstKeys)) {
            jdbc.query("SELECT " + String.join(", ", List.of(names).subList(0, keyColumns)) + " FROM " + table
                    + " WHERE " + names[0] + " IN (" + TaskViews.placeholders(chunk) + ")", rs -> {
                List<Object> k = new ArrayList<>();
                for (int i = 1; i <= keyColumns; i++) {
                    k.add(i == 1 ? rs.getString(i) : rs.getInt(i));
                }
                existing.add(k);
            }, chunk.toArray());
        }
        List<Object[]> absent = new ArrayList<>();
        candidates.forEach((k, row) -> {
            if (!existing.contains(k)) {
                absent.add(row);
            }
        });
        insert(table, columns, absent);
    }

    /** Multi-row inserts: one statement per {@value #ROWS_PER_STATEMENT} rows. */
    private void insert(String table, String columns, List<Object[]> rows) {
        if (rows.isEmpty()) {
            return;
        }
        int width = columns.split(",").length;
        String tuple = "(" + String.join(", ", Collections.nCopies(width, "?")) + ")";
        for (List<Object[]> chunk : chunks(rows)) {
            String sql = "INSERT INTO " + table + " (" + columns + ") VALUES "
                    + String.join(", ", Collections.nCopies(chunk.size(), tuple));
            jdbc.update(sql, ps -> {
                int index = 1;
                for (Object[] row : chunk) {
                    for (Object value : row) {
                        bind(ps, index++, value);
                    }
                }
            });
        }
    }

    private void batch(String sql, List<Object[]> rows) {
        jdbc.batchUpdate(sql, rows, rows.size(), (ps, row) -> {
            for (int i = 0; i < row.length; i++) {
                bind(ps, i + 1, row[i]);
            }
        });
    }

    /** Binds with the value's own type; a null is bound as a typeless null of the column's kind. */
    private static void bind(PreparedStatement ps, int index, Object value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.VARCHAR);
        } else if (value == NullTimestamp.INSTANCE) {
            ps.setTimestamp(index, null);
        } else if (value instanceof String s) {
            ps.setString(index, s);
        } else if (value instanceof Integer i) {
            ps.setInt(index, i);
        } else if (value instanceof Long l) {
            ps.setLong(index, l);
        } else if (value instanceof Timestamp t) {
            ps.setTimestamp(index, t);
        } else {
            throw new IllegalArgumentException("cannot bind " + value.getClass());
        }
    }

    /** A null timestamp parameter (a plain null binds as a string). */
    private enum NullTimestamp { INSTANCE }

    static Object timestamp(Instant instant) {
        return instant == null ? NullTimestamp.INSTANCE : Timestamp.from(instant);
    }

    private String blockers(TaskState state) {
        return state.blockers() == null ? null : json.writeValueAsString(state.blockers());
    }

    private static <T> List<List<T>> chunks(List<T> values) {
        List<List<T>> chunks = new ArrayList<>();
        for (int i = 0; i < values.size(); i += ROWS_PER_STATEMENT) {
            chunks.add(values.subList(i, Math.min(values.size(), i + ROWS_PER_STATEMENT)));
        }
        return chunks;
    }

    /**
     * Reads the task and, in a processor's batch, every other task the batch's events concern, in one query.
     */
    private void prefetch(String taskId) {
        Set<String> ids = new LinkedHashSet<>();
        ids.add(taskId);
        if (!prefetched && unitOfWork instanceof BatchingUnitOfWork<?> batching) {
            prefetched = true;
            for (Message<?> message : batching.getMessages()) {
                if (message instanceof EventMessage<?> event && TaskFold.EVENT_TYPES.contains(event.getPayloadType())) {
                    String id = taskIdOf(event.getPayload());
                    if (id != null && !known.containsKey(id)) {
                        ids.add(id);
                    }
                }
            }
        }
        Map<String, TaskState> states = new HashMap<>();
        for (List<String> chunk : chunks(new ArrayList<>(ids))) {
            states.putAll(views.states(chunk));
        }
        for (String id : ids) {
            known.put(id, Optional.ofNullable(states.get(id)));
        }
    }

    private static String taskIdOf(Object payload) {
        Method accessor = TASK_ID.get(payload.getClass());
        if (accessor == null) {
            return null;
        }
        try {
            return (String) accessor.invoke(payload);
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }
}
