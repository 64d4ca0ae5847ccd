package io.phasegate.events.resource;

import java.util.Locale;

/** The kinds of resource a dock provisions (SPEC §2.7). */
public enum ResourceType {
    SERVER, WEB_SERVICE, DATABASE, DOMAIN;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ResourceType fromWire(String value) {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
    }
}
