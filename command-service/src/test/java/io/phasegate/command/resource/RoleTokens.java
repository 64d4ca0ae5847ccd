package io.phasegate.command.resource;

import com.nimbusds.jose.jwk.ECKey;
import io.phasegate.platform.identity.CallerIdentity;
import io.phasegate.platform.identity.InternalTokenIssuer;
import io.phasegate.platform.identity.JwkFiles;
import io.phasegate.platform.identity.testing.TestIdentities;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;

/**
 * Internal identity tokens for any role, signed with the key that {@link TestIdentities} made for this JVM (its
 * private half lies beside the public key file the services trust). {@link TestIdentities} itself only issues
 * developers.
 */
final class RoleTokens {

    private static final InternalTokenIssuer ISSUER;

    static {
        String publicName = TestIdentities.PUBLIC_KEYS_FILE.getFileName().toString();
        ECKey key = JwkFiles.loadOrCreateSigningKey(TestIdentities.PUBLIC_KEYS_FILE.resolveSibling(
                publicName.replace(".public.json", ".json")), "internal", false);
        ISSUER = new InternalTokenIssuer(key, Duration.ofMinutes(10), Clock.systemUTC());
    }

    private RoleTokens() {
    }

    static String token(String subject, String orgId, String role) {
        return ISSUER.issue(new CallerIdentity(subject, orgId, Set.of(role)));
    }
}
