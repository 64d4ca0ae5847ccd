package io.phasegate.platform.identity;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.io.IOException;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Verifies the gateway's internal identity token: ES256 only, {@code typ} pinned, issuer, audience, expiry with a
 * small skew, and the required claims. The gateway's public keys come from a JWK set file, reloaded (at most once
 * a second) when a token names a key id that is not loaded yet, so key rotation needs no restart.
 */
public final class InternalTokenVerifier {

    private static final int MAX_TOKEN_LENGTH = 8192;

    private final Path publicKeysFile;
    private final Clock clock;
    private final AtomicReference<Loaded> loaded = new AtomicReference<>(new Loaded(new JWKSet(), Instant.EPOCH));

    private record Loaded(JWKSet keys, Instant at) {
    }

    private final DefaultJWTProcessor<SecurityContext> processor;

    private final VerifiedTokenCache<CallerIdentity> verified;

    public InternalTokenVerifier(Path publicKeysFile, Clock clock) {
        this.publicKeysFile = publicKeysFile;
        this.clock = clock;
        this.processor = processor();
        this.verified = new VerifiedTokenCache<>(10_000, clock);
    }

    /** Returns the caller, or empty when the token is missing, malformed, forged, expired or otherwise invalid. */
    public Optional<CallerIdentity> verify(String token) {
        if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_LENGTH) {
            return Optional.empty();
        }
        Optional<CallerIdentity> remembered = verified.get(token,
                kid -> kid != null && loaded.get().keys().getKeyByKeyId(kid) != null);
        if (remembered.isPresent()) {
            return remembered;
        }
        try {
            SignedJWT jwt = SignedJWT.parse(token); // parsed once; an unsigned ("alg": "none") token fails here
            refreshKeysFor(jwt.getHeader().getKeyID());
            JWTClaimsSet claims = processor.process(jwt, null);
            String org = claims.getStringClaim(InternalTokens.ORG_CLAIM);
            List<String> roles = claims.getStringListClaim(InternalTokens.ROLES_CLAIM);
            if (org == null || org.isBlank() || roles == null) {
                return Optional.empty();
            }
            CallerIdentity caller = new CallerIdentity(claims.getSubject(), org, Set.copyOf(roles));
            verified.put(token, caller, jwt.getHeader().getKeyID(), claims.getExpirationTime().toInstant());
            return Optional.of(caller);
        } catch (ParseException | BadJOSEException | JOSEException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private void refreshKeysFor(String kid) {
        Loaded current = loaded.get();
        if (kid != null && current.keys().getKeyByKeyId(kid) == null
                && Duration.between(current.at(), clock.instant()).compareTo(Duration.ofSeconds(1)) >= 0) {
            reload();
        }
    }

    private void reload() {
        Loaded next;
        try {
            next = new Loaded(JwkFiles.loadPublicKeys(publicKeysFile), clock.instant());
        } catch (IOException | ParseException e) {
            // missing (e.g. mid-remount) or unreadable: keep the keys we have, retry after the rate limit
            next = new Loaded(loaded.get().keys(), clock.instant());
        }
        loaded.set(next);
    }

    private DefaultJWTProcessor<SecurityContext> processor() {
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(InternalTokens.TYPE));
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.ES256,
                (selector, context) -> selector.select(loaded.get().keys())));
        DefaultJWTClaimsVerifier<SecurityContext> claimsVerifier = new DefaultJWTClaimsVerifier<>(
                InternalTokens.AUDIENCE,
                new JWTClaimsSet.Builder().issuer(InternalTokens.ISSUER).build(),
                new HashSet<>(List.of("sub", "exp", "iat", "jti", InternalTokens.ORG_CLAIM))) {
            @Override
            protected java.util.Date currentTime() {
                return java.util.Date.from(clock.instant());
            }
        };
        claimsVerifier.setMaxClockSkew(5);
        processor.setJWTClaimsSetVerifier(claimsVerifier);
        return processor;
    }
}
