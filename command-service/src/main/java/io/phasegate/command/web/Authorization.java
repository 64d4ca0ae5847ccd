package io.phasegate.command.web;

import io.phasegate.platform.identity.CallerIdentity;
import io.phasegate.platform.identity.Permission;
import io.phasegate.platform.web.ApiException;

/** Permission checks of the HTTP layer (SPEC §2.5). */
final class Authorization {

    private Authorization() {
    }

    static void require(CallerIdentity caller, Permission.Area area, Permission.Level level) {
        if (!caller.can(area, level)) {
            throw ApiException.forbidden("Your roles do not allow " + level.name().toLowerCase() + " access to "
                    + area.name().toLowerCase() + ".");
        }
    }
}
