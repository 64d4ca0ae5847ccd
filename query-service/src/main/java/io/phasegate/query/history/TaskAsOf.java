package io.phasegate.query.history;

import io.phasegate.events.history.FindTaskAsOfQuery;
import io.phasegate.events.history.TaskAsOfView;
import io.phasegate.platform.storage.StorageProperties;
import io.phasegate.query.task.TaskFold;
import io.phasegate.query.task.TaskState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.axonframework.common.DateTimeUtils;
import org.axonframework.queryhandling.QueryHandler;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.SimpleSerializedObject;
import org.axonframework.serialization.SimpleSerializedType;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Reconstructs a task as it was at a past position or time: the task aggregate's stored events up to that point,
 * in global order, folded with {@link TaskFold} — the very function the task projection computes its rows with —
 * each with its exact global position. Reads the event store, not the projection, so it needs no catching up and
 * works for any point of the history.
 *
 * <p>Events are deserialized with the service's event serializer (no upcasters are configured; a future upcaster
 * must be applied here as well). Events that cannot change a task are not deserialized. A time is compared with the
 * events' stored timestamps, at the store's millisecond precision.
 */
@Component
class TaskAsOf {

    private final JdbcTemplate jdbc;
    private final Serializer serializer;
    private final String table;
    private final boolean available;

    TaskAsOf(DataSource dataSource, @Qualifier("eventSerializer") Serializer serializer, StorageProperties storage) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.serializer = serializer;
        this.table = storage.eventTable("domain_event_entry");
        this.available = storage.storageMode().jdbcEventStore();
    }

    @QueryHandler
    public Optional<TaskAsOfView> handle(FindTaskAsOfQuery query) {
        if (!available) {
            throw new IllegalStateException("Task history is read from the JDBC event store; this mode has none.");
        }
        StringBuilder sql = new StringBuilder("SELECT global_index, payload_type, payload_revision, payload FROM "
                + table + " WHERE aggregate_identifier = ?");
        List<Object> args = new ArrayList<>(List.of(query.taskId()));
        if (query.asOfPosition() != null) {
            sql.append(" AND global_index <= ?");
            args.add(query.asOfPosition());
        }
        if (query.asOfTime() != null) {
            sql.append(" AND time_stamp <= ?");
            args.add(DateTimeUtils.formatInstant(query.asOfTime()));
        }
        sql.append(" ORDER BY global_index");
        TaskState[] state = {null};
        int[] applied = {0};
        jdbc.query(sql.toString(), rs -> {
            SimpleSerializedType type = new SimpleSerializedType(rs.getString(2), rs.getString(3));
            if (!TaskFold.EVENT_TYPES.contains(serializer.classForType(type))) {
                return;
            }
            Object event = serializer.deserialize(new SimpleSerializedObject<>(rs.getBytes(4), byte[].class, type));
            TaskState next = TaskFold.apply(state[0], event, rs.getLong(1));
            if (next != state[0]) {
                applied[0]++;
                state[0] = next;
            }
        }, args.toArray());
        TaskState s = state[0];
        if (s == null || !s.orgId().equals(query.orgId()) || !s.taskId().equals(query.taskId())) {
            return Optional.empty();
        }
        return Optional.of(new TaskAsOfView(s.taskId(), s.orgId(), s.projectId(), s.title(), s.description(),
                s.status(), s.phase(), s.claimedBy(), s.leaseExpiresAt(), s.tokenGeneration(), s.workflowId(),
                s.workflowVersion(), s.dependsOn(), s.requiredCapabilities(), s.priority(), s.createdBy(),
                s.createdAt(), s.updatedAt(), s.blockers(), s.completedAt(), s.cancelledAt(), s.createdPosition(),
                s.position(), query.asOfPosition(), query.asOfTime(), applied[0]));
    }
}
