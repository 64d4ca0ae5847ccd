package io.phasegate.platform.identity;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.text.ParseException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Signing keys kept as JWK sets in files. A private key file holds one EC P-256 key (ES256); its public half is
 * written next to it as {@code <name>.public.json} for verifiers. Files are written atomically with owner-only
 * permissions. Production deployments mount these files from a secret store.
 */
public final class JwkFiles {

    private JwkFiles() {
    }

    /** Loads the private signing key from {@code file}, generating it first if it is missing and allowed. */
    public static ECKey loadOrCreateSigningKey(Path file, String kidPrefix, boolean generateIfMissing) {
        try {
            if (!Files.exists(file)) {
                if (!generateIfMissing) {
                    throw new IllegalStateException("Signing key file " + file + " does not exist");
                }
                ECKey key = new ECKeyGenerator(Curve.P_256)
                        .keyUse(KeyUse.SIGNATURE)
                        .keyID(kidPrefix + "-" + DateTimeFormatter.ofPattern("yyyyMMddHHmmss")
                                .withZone(ZoneOffset.UTC).format(Instant.now()))
                        .generate();
                writeAtomically(file, new JWKSet(key).toString(false));
                writeAtomically(publicFileOf(file), new JWKSet(key.toPublicJWK()).toString(true));
            }
            JWKSet set = JWKSet.parse(Files.readString(file));
            if (set.getKeys().isEmpty() || !(set.getKeys().get(0) instanceof ECKey key) || !key.isPrivate()) {
                throw new IllegalStateException("Key file " + file + " must hold a private EC key");
            }
            if (!Files.exists(publicFileOf(file))) {
                writeAtomically(publicFileOf(file), new JWKSet(key.toPublicJWK()).toString(true));
            }
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or write key file " + file, e);
        } catch (ParseException | JOSEException e) {
            throw new IllegalStateException("Key file " + file + " is not a valid JWK set", e);
        }
    }

    /** Loads a JWK set of public keys; private members, if any, are dropped. */
    public static JWKSet loadPublicKeys(Path file) throws IOException, ParseException {
        return JWKSet.parse(Files.readString(file)).toPublicJWKSet();
    }

    public static Path publicFileOf(Path privateFile) {
        String name = privateFile.getFileName().toString();
        String base = name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
        return privateFile.resolveSibling(base + ".public.json");
    }

    /** Writes a key file atomically: an owner-only temporary file in the same directory, then a move. */
    public static void writeAtomically(Path file, String content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".tmp-", ".json");
        try {
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
