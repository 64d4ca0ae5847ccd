package io.phasegate.query.web;

import io.phasegate.platform.identity.CallerIdentity;
import io.phasegate.platform.identity.Permission;
import io.phasegate.platform.web.ApiException;

/** Checks shared by the query endpoints. */
final class QueryParams {

    private QueryParams() {
    }

    static void requireRead(CallerIdentity caller, Permission.Area area) {
        if (!caller.can(area, Permission.Level.READ)) {
            throw ApiException.forbidden("Your roles do not allow reading " + area.name().toLowerCase() + ".");
        }
    }
}
