package io.phasegate.query.provisioning;

import io.phasegate.events.resource.FindResourceAsOfQuery;
import io.phasegate.events.resource.ResourceAsOfView;
import io.phasegate.platform.storage.StorageProperties;
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
 * Reconstructs a resource as it was at a past position or time: the resource aggregate's stored events up to that
 * point, in global order, folded with {@link ResourceFold} — the function {@link ResourceProjection} computes its
 * rows with — each with its exact global position. Reads the event store, not the projection, so it works for any
 * point of the history without catching up. As the task as-of: events are deserialized with the service's event
 * serializer (no upcasters); a time is compared with the events' stored timestamps.
 */
@Component
public class ResourceAsOf {

    private final JdbcTemplate jdbc;
    private final Serializer serializer;
    private final String table;
    private final boolean available;

    ResourceAsOf(DataSource dataSource, @Qualifier("eventSerializer") Serializer serializer,
                 StorageProperties storage) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.serializer = serializer;
        this.table = storage.eventTable("domain_event_entry");
        this.available = storage.storageMode().jdbcEventStore();
    }

    @QueryHandler
    public Optional<ResourceAsOfView> handle(FindResourceAsOfQuery query) {
        if (!available) {
            throw new IllegalStateException("Resource history is read from the JDBC event store; this mode has none.");
        }
        StringBuilder sql = new StringBuilder("SELECT global_index, payload_type, payload_revision, payload FROM "
                + table + " WHERE aggregate_identifier = ?");
        List<Object> args = new ArrayList<>(List.of(query.resourceId()));
        if (query.asOfPosition() != null) {
            sql.append(" AND global_index <= ?");
            args.add(query.asOfPosition());
        }
        if (query.asOfTime() != null) {
            sql.append(" AND time_stamp <= ?");
            args.add(DateTimeUtils.formatInstant(query.asOfTime()));
        }
        sql.append(" ORDER BY global_index");
        ResourceState[] state = {null};
        int[] applied = {0};
        jdbc.query(sql.toString(), rs -> {
            SimpleSerializedType type = new SimpleSerializedType(rs.getString(2), rs.getString(3));
            if (!ResourceFold.EVENT_TYPES.contains(serializer.classForType(type))) {
                return;
            }
            Object event = serializer.deserialize(new SimpleSerializedObject<>(rs.getBytes(4), byte[].class, type));
            ResourceState next = ResourceFold.apply(state[0], event, rs.getLong(1));
            if (next != state[0]) {
                applied[0]++;
                state[0] = next;
            }
        }, args.toArray());
        ResourceState s = state[0];
        if (s == null || !s.orgId().equals(query.orgId()) || !s.resourceId().equals(query.resourceId())) {
            return Optional.empty();
        }
        return Optional.of(new ResourceAsOfView(ResourceRows.view(s), ResourceRows.operationView(s),
                query.asOfPosition(), query.asOfTime(), applied[0]));
    }
}
