package io.phasegate.platform.identity.testing;

import com.nimbusds.jose.jwk.ECKey;
import io.phasegate.platform.identity.CallerIdentity;
import io.phasegate.platform.identity.InternalTokenIssuer;
import io.phasegate.platform.identity.JwkFiles;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;

/**
 * An internal signing key made for this test JVM (in a temporary directory) and the gateway's token issuer on it;
 * the services under test verify with the public key file written beside it.
 */
public final class TestIdentities {

    public static final Path PUBLIC_KEYS_FILE;
    private static final InternalTokenIssuer ISSUER;
    /** A key the services do not know: tokens signed with it must be refused. */
    private static final InternalTokenIssuer FORGER;

    static {
        try {
            Path dir = Files.createTempDirectory("phasegate-test-keys-");
            Path keyFile = dir.resolve("internal-signing.json");
            ECKey key = JwkFiles.loadOrCreateSigningKey(keyFile, "internal", true);
            PUBLIC_KEYS_FILE = JwkFiles.publicFileOf(keyFile);
            Path forgedDir = Files.createTempDirectory("phasegate-test-forged-");
            Path forgedFile = forgedDir.resolve("forged.json");
            ECKey forged = JwkFiles.loadOrCreateSigningKey(forgedFile, "internal", true);
            for (File f : new File[]{dir.toFile(), keyFile.toFile(), PUBLIC_KEYS_FILE.toFile(), forgedDir.toFile(),
                    forgedFile.toFile(), JwkFiles.publicFileOf(forgedFile).toFile()}) {
                f.deleteOnExit();
            }
            ISSUER = new InternalTokenIssuer(key, Duration.ofMinutes(10), Clock.systemUTC());
            FORGER = new InternalTokenIssuer(forged, Duration.ofMinutes(10), Clock.systemUTC());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private TestIdentities() {
    }

    /** A developer of organisation {@code acme}. */
    public static String acme() {
        return ISSUER.issue(new CallerIdentity("alice", "acme", Set.of("developer")));
    }

    /** A developer of organisation {@code other}. */
    public static String other() {
        return ISSUER.issue(new CallerIdentity("bob", "other", Set.of("developer")));
    }

    /** A well-formed token signed with a key the services do not trust. */
    public static String forgedAcme() {
        return FORGER.issue(new CallerIdentity("mallory", "acme", Set.of("developer")));
    }
}
