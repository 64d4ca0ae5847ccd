package io.phasegate.command.dock;

import io.phasegate.events.dock.DockCredentials;
import io.phasegate.platform.axon.Rejections;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The rules on a dock's id, name, settings and credentials, checked by the aggregate (the HTTP layer checks the same
 * shape first to answer field problems). Messages name fields and rules, never values.
 */
public final class DockRules {

    public static final Pattern DOCK_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
    public static final Pattern PROVIDER = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    public static final Pattern ENTRY_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    public static final Pattern PURPOSE = Pattern.compile("[a-z][a-z0-9_-]{0,63}");
    public static final int MAX_NAME = 200;
    public static final int MAX_ENTRIES = 50;
    public static final int MAX_SETTING_VALUE = 2000;
    public static final int MAX_CREDENTIAL_VALUE = 8192;

    private DockRules() {
    }

    /** The first problem of a name, or null. */
    public static String nameProblem(String name) {
        if (name == null || name.isBlank()) {
            return "is required";
        }
        return name.length() > MAX_NAME ? "must be at most " + MAX_NAME + " characters" : null;
    }

    /** The first problem of the settings, or null. */
    public static String settingsProblem(Map<String, String> settings) {
        if (settings == null) {
            return null;
        }
        if (settings.size() > MAX_ENTRIES) {
            return "must have at most " + MAX_ENTRIES + " entries";
        }
        for (Map.Entry<String, String> entry : settings.entrySet()) {
            if (entry.getKey() == null || !ENTRY_KEY.matcher(entry.getKey()).matches()) {
                return "keys must match " + ENTRY_KEY.pattern();
            }
            if (entry.getValue() == null || entry.getValue().length() > MAX_SETTING_VALUE) {
                return "values must be strings of at most " + MAX_SETTING_VALUE + " characters";
            }
        }
        return null;
    }

    /** The first problem of the credentials, or null. */
    public static String credentialsProblem(Map<String, String> credentials) {
        if (credentials == null || credentials.isEmpty()) {
            return "are required";
        }
        if (credentials.size() > MAX_ENTRIES) {
            return "must have at most " + MAX_ENTRIES + " entries";
        }
        for (Map.Entry<String, String> entry : credentials.entrySet()) {
            if (entry.getKey() == null || !ENTRY_KEY.matcher(entry.getKey()).matches()) {
                return "keys must match " + ENTRY_KEY.pattern();
            }
            if (entry.getValue() == null || entry.getValue().isEmpty()
                    || entry.getValue().length() > MAX_CREDENTIAL_VALUE) {
                return "values must be non-empty strings of at most " + MAX_CREDENTIAL_VALUE + " characters";
            }
        }
        return null;
    }

    static void requireValid(String field, String problem) {
        if (problem != null) {
            throw Rejections.command("invalid_dock", 400, "The dock's " + field + " " + problem + ".",
                    Map.of("field", field));
        }
    }

    static void requireCredentials(DockCredentials credentials) {
        requireValid("credentials", credentialsProblem(credentials == null ? null : credentials.values()));
    }
}
