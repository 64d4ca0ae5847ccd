package io.phasegate.command.resource;

import io.phasegate.command.adapter.DockConnection;
import io.phasegate.command.adapter.DockConnections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Docks kept in memory for tests: register, delete, and a log of every connection opened (the credential uses). */
public class InMemoryDocks implements DockConnections {

    /** A credential value that must never show up in an event, a response or a log line. */
    public static final String SECRET = "s3cr3t-planted-credential-value";

    private final Map<String, DockInfo> docks = new ConcurrentHashMap<>();
    private final List<Use> uses = new CopyOnWriteArrayList<>();

    /** One opened connection: who, which dock, for what and which operation. */
    public record Use(String orgId, String dockId, String actor, String purpose, String operationId) {
    }

    public InMemoryDocks register(String orgId, String dockId, String provider) {
        docks.put(key(orgId, dockId), new DockInfo(dockId, orgId, provider, 1));
        return this;
    }

    public void delete(String orgId, String dockId) {
        docks.remove(key(orgId, dockId));
    }

    public List<Use> uses() {
        return List.copyOf(uses);
    }

    @Override
    public Optional<DockInfo> find(String orgId, String dockId) {
        return Optional.ofNullable(docks.get(key(orgId, dockId)));
    }

    @Override
    public DockConnection open(String orgId, String dockId, String actor, String purpose, String operationId) {
        DockInfo dock = docks.get(key(orgId, dockId));
        if (dock == null) {
            throw new DockUnavailableException("No such dock.");
        }
        if (!io.phasegate.command.dock.DockRules.PURPOSE.matcher(purpose).matches()) {
            // the real dock refuses such a purpose: keep this stand-in as strict
            throw new IllegalArgumentException("invalid purpose " + purpose);
        }
        uses.add(new Use(orgId, dockId, actor, purpose, operationId));
        return new DockConnection(dockId, orgId, dock.provider(), Map.of("region", "test-1"),
                dock.credentialVersion(), Map.of("api_token", SECRET));
    }

    private static String key(String orgId, String dockId) {
        return orgId + "/" + dockId;
    }
}
