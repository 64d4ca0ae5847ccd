package io.phasegate.query.provisioning;

import io.phasegate.events.resource.FindProvisionStatusQuery;
import io.phasegate.events.resource.FindProvisioningOperationsQuery;
import io.phasegate.events.resource.FindResourceQuery;
import io.phasegate.events.resource.FindResourcesQuery;
import io.phasegate.events.resource.ProvisionStatusView;
import io.phasegate.events.resource.ProvisioningOperationPage;
import io.phasegate.events.resource.ProvisioningOperationView;
import io.phasegate.events.resource.ResourcePage;
import io.phasegate.events.resource.ResourceView;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The query handlers of the resource read model (written by {@link ResourceProjection}): a resource, the list with
 * filters, getProvisionStatus and listProvisioningOperations. Lists are newest first with a cursor: the position of
 * the event that created the last item of the page (a resource's creation, an operation's request).
 */
@Component
public class ResourceQueries {

    private final JdbcTemplate jdbc;
    private final ResourceRows rows;

    ResourceQueries(JdbcTemplate jdbc, ResourceRows rows) {
        this.jdbc = jdbc;
        this.rows = rows;
    }

    @QueryHandler
    public Optional<ResourceView> handle(FindResourceQuery query) {
        return find(query.orgId(), query.resourceId()).map(ResourceRows::view);
    }

    @QueryHandler
    public Optional<ProvisionStatusView> handle(FindProvisionStatusQuery query) {
        return find(query.orgId(), query.resourceId()).map(ResourceRows::status);
    }

    @QueryHandler
    public ResourcePage handle(FindResourcesQuery query) {
        StringBuilder sql = new StringBuilder("SELECT * FROM resources WHERE org_id = ?");
        List<Object> args = new ArrayList<>(List.of(query.orgId()));
        if (query.dockId() != null) {
            sql.append(" AND dock_id = ?");
            args.add(query.dockId());
        }
        if (query.type() != null) {
            sql.append(" AND type = ?");
            args.add(query.type());
        }
        if (query.state() != null) {
            sql.append(" AND state = ?");
            args.add(query.state());
        }
        if (query.namePrefix() != null && !query.namePrefix().isEmpty()) {
            sql.append(" AND name LIKE ? ESCAPE '\\'");
            args.add(likePrefix(query.namePrefix()));
        }
        if (query.after() != null) {
            sql.append(" AND created_position < ?");
            args.add(Long.parseLong(query.after()));
        }
        sql.append(" ORDER BY created_position DESC LIMIT ?");
        args.add(query.limit() + 1);
        List<ResourceState> states = rows.select(sql.toString(), args.toArray());
        String next = null;
        if (states.size() > query.limit()) {
            states = states.subList(0, query.limit());
            next = Long.toString(states.get(states.size() - 1).createdPosition());
        }
        return new ResourcePage(states.stream().map(ResourceRows::view).toList(), next);
    }

    /** Empty when a resource is named that is not the organisation's; otherwise a page (possibly empty). */
    @QueryHandler
    public Optional<ProvisioningOperationPage> handle(FindProvisioningOperationsQuery query) {
        StringBuilder sql = new StringBuilder("SELECT * FROM provisioning_operations WHERE org_id = ?");
        List<Object> args = new ArrayList<>(List.of(query.orgId()));
        if (query.resourceId() != null) {
            if (find(query.orgId(), query.resourceId()).isEmpty()) {
                return Optional.empty();
            }
            sql.append(" AND resource_id = ?");
            args.add(query.resourceId());
        }
        if (query.status() != null) {
            sql.append(" AND status = ?");
            args.add(query.status());
        }
        if (query.after() != null) {
            sql.append(" AND requested_position < ?");
            args.add(Long.parseLong(query.after()));
        }
        sql.append(" ORDER BY requested_position DESC LIMIT ?");
        args.add(query.limit() + 1);
        List<ProvisioningOperationView> items = rows.operations(sql.toString(), args.toArray());
        String next = null;
        if (items.size() > query.limit()) {
            items = items.subList(0, query.limit());
            next = Long.toString(jdbc.queryForObject(
                    "SELECT requested_position FROM provisioning_operations WHERE operation_id = ?", Long.class,
                    items.get(items.size() - 1).operationId()));
        }
        return Optional.of(new ProvisioningOperationPage(items, next));
    }

    private Optional<ResourceState> find(String orgId, String resourceId) {
        return rows.find(resourceId).filter(s -> s.orgId().equals(orgId));
    }

    /** A LIKE pattern matching names that start with {@code prefix} (its wildcards taken literally). */
    static String likePrefix(String prefix) {
        return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }
}
