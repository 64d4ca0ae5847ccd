package io.phasegate.platform.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;

/**
 * Mints the short-lived internal identity token with which the gateway forwards an authenticated caller to the
 * services (SPEC §4.3). ES256, {@code typ} {@value InternalTokens#TYPE}.
 */
public final class InternalTokenIssuer {

    private final ECKey key;
    private final ECDSASigner signer;
    private final Duration ttl;
    private final Clock clock;
    private final Cache<CallerIdentity, Issued> issued = Caffeine.newBuilder().maximumSize(10_000).build();

    public InternalTokenIssuer(ECKey key, Duration ttl, Clock clock) {
        try {
            this.key = key;
            this.signer = new ECDSASigner(key);
            this.ttl = ttl;
            this.clock = clock;
        } catch (JOSEException e) {
            throw new IllegalArgumentException("Not a usable ES256 signing key", e);
        }
    }

    /**
     * A token for {@code caller}: the one issued before for the same identity while more than half of its lifetime is
     * left (signing is the costly part of forwarding a request), otherwise a new one.
     */
    public String issue(CallerIdentity caller) {
        Instant now = clock.instant();
        Issued previous = issued.getIfPresent(caller);
        if (previous != null && now.isBefore(previous.renewAfter())) {
            return previous.token();
        }
        String token = sign(caller, now);
        issued.put(caller, new Issued(token, now.plus(ttl.dividedBy(2))));
        return token;
    }

    private record Issued(String token, Instant renewAfter) {
    }

    private String sign(CallerIdentity caller, Instant now) {
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(InternalTokens.ISSUER)
                .audience(InternalTokens.AUDIENCE)
                .subject(caller.subject())
                .claim(InternalTokens.ORG_CLAIM, caller.orgId())
                .claim(InternalTokens.ROLES_CLAIM, List.copyOf(caller.roles()))
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl)))
                .jwtID(UUID.randomUUID().toString())
                .build();
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.ES256)
                .type(InternalTokens.TYPE)
                .keyID(key.getKeyID())
                .build();
        SignedJWT jwt = new SignedJWT(header, claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("Cannot sign the internal identity token", e);
        }
        return jwt.serialize();
    }
}
