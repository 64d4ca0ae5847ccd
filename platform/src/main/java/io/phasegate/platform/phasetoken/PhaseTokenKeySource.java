package io.phasegate.platform.phasetoken;

import com.nimbusds.jose.JWSVerifier;
import java.util.Optional;

/**
 * Where a {@link PhaseTokenVerifier} finds the public key of a {@code kid}: the signing key ring in command-service,
 * the published JWK set elsewhere. The {@code kid} is untrusted input: implementations look it up by exact match and
 * never use it to build a path, a query or a URL.
 */
public interface PhaseTokenKeySource {

    /** A verifier for the ES256 public key {@code kid}, or empty when the key is not known. */
    Optional<JWSVerifier> verifier(String kid);
}
