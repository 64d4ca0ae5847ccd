package io.phasegate.events.org;

import java.util.Locale;

/** How much of an area a role may do (SPEC §2.5): {@code full} implies {@code read}. */
public enum AccessLevel {
    NONE, READ, FULL;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static AccessLevel fromWire(String value) {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
    }

    public boolean covers(AccessLevel required) {
        return ordinal() >= required.ordinal();
    }
}
