package io.phasegate.events.resource;

import java.util.Locale;

/** How a resource came under management: provisioned through the API, recorded by hand, or imported from the provider. */
public enum ProvisioningSource {
    API, MANUAL, IMPORT;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ProvisioningSource fromWire(String value) {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
    }
}
