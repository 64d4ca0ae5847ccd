package io.phasegate.query.web;

import io.phasegate.platform.identity.CallerIdentity;
import io.phasegate.platform.identity.Permission;
import io.phasegate.platform.web.ApiException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/** Checks shared by the query endpoints. */
final class QueryParams {

    private QueryParams() {
    }

    static void requireRead(CallerIdentity caller, Permission.Area area) {
        if (!caller.can(area, Permission.Level.READ)) {
            throw ApiException.forbidden("Your roles do not allow reading " + area.name().toLowerCase() + ".");
        }
    }

    static final int MAX_LIMIT = 200;
    static final int MAX_CAPABILITIES = 50;
    static final int MAX_CAPABILITY_LENGTH = 255;

    static void requireLimit(int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ApiException.badRequest("invalid_parameter", "limit must be between 1 and " + MAX_LIMIT + ".");
        }
    }

    /** A page cursor as the list endpoints return it in {@code next_cursor}: a global position. */
    static void requireCursor(String after) {
        if (after != null && !after.matches("\\d{1,18}")) {
            throw ApiException.badRequest("invalid_parameter", "after must be a cursor returned as next_cursor.");
        }
    }

    /**
     * Comma-separated capabilities: {@code null} when the parameter is absent (no capability filter), an empty list
     * when it is present but empty (only tasks that require none).
     */
    static List<String> capabilities(String value) {
        if (value == null) {
            return null;
        }
        LinkedHashSet<String> capabilities = new LinkedHashSet<>();
        for (String part : value.split(",", -1)) {
            String capability = part.trim();
            if (capability.isEmpty()) {
                continue;
            }
            if (capability.length() > MAX_CAPABILITY_LENGTH) {
                throw ApiException.badRequest("invalid_parameter",
                        "a capability must not be longer than " + MAX_CAPABILITY_LENGTH + " characters.");
            }
            capabilities.add(capability);
        }
        if (capabilities.size() > MAX_CAPABILITIES) {
            throw ApiException.badRequest("invalid_parameter", "at most " + MAX_CAPABILITIES + " capabilities.");
        }
        return new ArrayList<>(capabilities);
    }
}
