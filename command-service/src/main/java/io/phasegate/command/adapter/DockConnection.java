package io.phasegate.command.adapter;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A dock with decrypted credentials, as handed to an adapter for one operation. It lives only in memory for the
 * duration of the call; {@link #toString()} never shows credential values.
 */
public record DockConnection(String dockId, String orgId, String provider, Map<String, String> settings,
                             int credentialVersion, Map<String, String> credentials) {

    public DockConnection {
        Objects.requireNonNull(dockId, "dockId");
        Objects.requireNonNull(orgId, "orgId");
        Objects.requireNonNull(provider, "provider");
        settings = settings == null ? Map.of() : Map.copyOf(settings);
        credentials = credentials == null ? Map.of() : Map.copyOf(credentials);
    }

    @Override
    public String toString() {
        return "DockConnection[dockId=" + dockId + ", orgId=" + orgId + ", provider=" + provider + ", settings="
                + new TreeMap<>(settings) + ", credentialVersion=" + credentialVersion + ", credentials="
                + new TreeMap<>(credentials).keySet() + " (values redacted)]";
    }
}
