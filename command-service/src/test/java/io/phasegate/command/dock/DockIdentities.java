package io.phasegate.command.dock;

import io.phasegate.platform.identity.CallerIdentity;
import io.phasegate.platform.identity.InternalTokenIssuer;
import io.phasegate.platform.identity.JwkFiles;
import io.phasegate.platform.identity.testing.TestIdentities;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;

/** Internal identity tokens for any organisation and role, signed with the test JVM's internal key. */
final class DockIdentities {

    private static final InternalTokenIssuer ISSUER = new InternalTokenIssuer(JwkFiles.loadOrCreateSigningKey(
            TestIdentities.PUBLIC_KEYS_FILE.getParent().resolve("internal-signing.json"), "internal", false),
            Duration.ofMinutes(10), Clock.systemUTC());

    private DockIdentities() {
    }

    static String of(String org, String role) {
        return ISSUER.issue(new CallerIdentity(role + "@" + org, org, Set.of(role)));
    }

    static String admin(String org) {
        return of(org, "admin");
    }

    static String developer(String org) {
        return of(org, "developer");
    }
}
