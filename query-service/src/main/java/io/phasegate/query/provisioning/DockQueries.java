package io.phasegate.query.provisioning;

import io.phasegate.events.dock.DockList;
import io.phasegate.events.dock.DockView;
import io.phasegate.events.dock.FindDockQuery;
import io.phasegate.events.dock.FindDocksQuery;
import java.util.Optional;
import org.axonframework.queryhandling.QueryHandler;
import org.springframework.stereotype.Component;

/** The query handlers of the dock read model (written by {@link DockProjection}). */
@Component
public class DockQueries {

    private final DockRows rows;

    DockQueries(DockRows rows) {
        this.rows = rows;
    }

    @QueryHandler
    public Optional<DockView> handle(FindDockQuery query) {
        return rows.find(query.dockId()).filter(s -> s.orgId().equals(query.orgId())).map(DockRows::view);
    }

    @QueryHandler
    public DockList handle(FindDocksQuery query) {
        var states = query.status() == null
                ? rows.select("SELECT * FROM docks WHERE org_id = ? ORDER BY registered_position", query.orgId())
                : rows.select("SELECT * FROM docks WHERE org_id = ? AND status = ? ORDER BY registered_position",
                query.orgId(), query.status());
        return new DockList(states.stream().map(DockRows::view).toList());
    }
}
