package io.phasegate.query.integration;

import io.phasegate.platform.identity.CallerIdentity;
import io.phasegate.platform.identity.InternalTokenIssuer;
import io.phasegate.platform.identity.JwkFiles;
import io.phasegate.platform.identity.testing.TestIdentities;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;

/**
 * Internal identity tokens (what the gateway forwards) for any organisation and roles, signed with the test JVM's
 * internal key that {@link TestIdentities} keeps beside the public key file the services trust.
 */
final class RoleIdentities {

    private static final InternalTokenIssuer ISSUER = new InternalTokenIssuer(JwkFiles.loadOrCreateSigningKey(
            TestIdentities.PUBLIC_KEYS_FILE.getParent().resolve("internal-signing.json"), "internal", false),
            Duration.ofMinutes(10), Clock.systemUTC());

    private RoleIdentities() {
    }

    static String of(String org, String role) {
        return ISSUER.issue(new CallerIdentity(role + "@" + org, org, Set.of(role)));
    }

    static String auditor(String org) {
        return of(org, "auditor");
    }

    static String admin(String org) {
        return of(org, "admin");
    }

    static String viewer(String org) {
        return of(org, "viewer");
    }

    static String developer(String org) {
        return of(org, "developer");
    }

    /** The identity of the agent endpoints (no roles: the phase token is the credential). */
    static String phaseTokenBearer() {
        return ISSUER.issue(CallerIdentity.phaseTokenBearer());
    }
}
