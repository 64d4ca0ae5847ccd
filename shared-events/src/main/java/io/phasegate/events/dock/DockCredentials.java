package io.phasegate.events.dock;

import java.util.Map;
import java.util.TreeMap;

/**
 * Plaintext provider credentials as they arrive in a command (for example {@code api_key}, {@code secret}). They only
 * live in memory: the command handler encrypts them before any event is written, and {@link #toString()} never shows
 * a value, so a logged command leaks nothing.
 */
public record DockCredentials(Map<String, String> values) {

    public DockCredentials {
        values = values == null ? Map.of() : Map.copyOf(values);
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    @Override
    public String toString() {
        return "DockCredentials" + new TreeMap<>(values).keySet() + " (values redacted)";
    }
}
