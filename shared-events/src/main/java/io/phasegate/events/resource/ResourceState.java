package io.phasegate.events.resource;

import java.util.Locale;

/** Lifecycle of a resource (SPEC §2.7): provisioning → provisioned | failed; provisioned → updating → provisioned | failed; provisioned/failed → deprovisioning → deprovisioned | failed. */
public enum ResourceState {
    PROVISIONING, PROVISIONED, UPDATING, DEPROVISIONING, DEPROVISIONED, FAILED;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ResourceState fromWire(String value) {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
    }
}
