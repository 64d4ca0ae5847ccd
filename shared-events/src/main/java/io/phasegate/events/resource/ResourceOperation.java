package io.phasegate.events.resource;

import java.util.Locale;

/** The provider operations a resource goes through, each one run by the provisioning process. */
public enum ResourceOperation {
    PROVISION, UPDATE, DEPROVISION;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ResourceOperation fromWire(String value) {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
    }
}
