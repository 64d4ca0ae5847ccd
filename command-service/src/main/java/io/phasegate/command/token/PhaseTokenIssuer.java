package io.phasegate.command.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.phasegate.platform.phasetoken.PhaseTokens;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.Objects;
import java.util.UUID;

/**
 * Signs phase tokens (SPEC §2.3) with the key ring's active key: ES256, {@code typ} {@code phase+jwt}, {@code kid}
 * of the active key; claims {@code iss aud sub task_id phase gen jti iat nbf exp}, {@code exp = iat + ttl}.
 * Times are whole seconds, so {@link IssuedPhaseToken#expiresAt()} is exactly the token's {@code exp}.
 */
public final class PhaseTokenIssuer {

    private final PhaseTokenKeys keys;
    private final String issuer;
    private final String audience;
    private final Clock clock;

    public PhaseTokenIssuer(PhaseTokenKeys keys, String issuer, String audience, Clock clock) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.issuer = requireText(issuer, "issuer");
        this.audience = requireText(audience, "audience");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public IssuedPhaseToken issue(PhaseTokenClaims claims) {
        Objects.requireNonNull(claims, "claims");
        PhaseTokenKeys.Entry key = keys.activeEntry();
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Instant expiresAt = now.plus(claims.ttl());
        String jti = UUID.randomUUID().toString();
        JWTClaimsSet claimsSet = new JWTClaimsSet.Builder()
                .issuer(issuer)
                .audience(audience)
                .subject(claims.agentId())
                .claim(PhaseTokens.TASK_ID_CLAIM, claims.taskId())
                .claim(PhaseTokens.PHASE_CLAIM, claims.phase())
                .claim(PhaseTokens.GENERATION_CLAIM, claims.generation())
                .jwtID(jti)
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(expiresAt))
                .build();
        JWSHeader header = new JWSHeader.Builder(PhaseTokens.ALGORITHM)
                .type(PhaseTokens.TYPE)
                .keyID(key.kid())
                .build();
        SignedJWT jwt = new SignedJWT(header, claimsSet);
        try {
            jwt.sign(key.signer());
        } catch (JOSEException e) {
            throw new IllegalStateException("Cannot sign the phase token", e);
        }
        String token = jwt.serialize();
        if (token.length() > PhaseTokens.MAX_TOKEN_LENGTH) {
            // never hand out a token the verifier would refuse
            throw new IllegalArgumentException("Phase token would exceed " + PhaseTokens.MAX_TOKEN_LENGTH
                    + " characters; task id, phase or agent id is too long");
        }
        return new IssuedPhaseToken(token, key.kid(), jti, now, expiresAt);
    }

    private static String requireText(String value, String name) {
        if (Objects.requireNonNull(value, name).isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
        return value;
    }
}
