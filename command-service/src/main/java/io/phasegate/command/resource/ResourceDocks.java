package io.phasegate.command.resource;

import io.phasegate.command.adapter.DockConnection;
import io.phasegate.command.adapter.DockConnections;
import io.phasegate.platform.axon.Rejections;
import java.util.Optional;
import java.util.function.Supplier;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The docks as the resource side sees them: {@link DockConnections} (implemented by the dock package), looked up when
 * first needed so that this service also starts without it; then every resource command answers 503.
 */
@Component
class ResourceDocks {

    private final Supplier<DockConnections> docks;

    @Autowired
    ResourceDocks(ObjectProvider<DockConnections> docks) {
        this((Supplier<DockConnections>) docks::getIfAvailable);
    }

    ResourceDocks(Supplier<DockConnections> docks) {
        this.docks = docks;
    }

    static ResourceDocks of(DockConnections docks) {
        return new ResourceDocks(() -> docks);
    }

    Optional<DockConnections.DockInfo> find(String orgId, String dockId) {
        return require().find(orgId, dockId).filter(dock -> orgId.equals(dock.orgId()));
    }

    DockConnection open(String orgId, String dockId, String actor, String purpose, String operationId) {
        return require().open(orgId, dockId, actor, purpose, operationId);
    }

    private DockConnections require() {
        DockConnections connections = docks.get();
        if (connections == null) {
            throw Rejections.command("docks_unavailable", 503, "Docks are not available in this service.");
        }
        return connections;
    }
}
