package io.phasegate.platform.phasetoken;

import static io.phasegate.platform.phasetoken.PhaseTokenRejected.Reason.BAD_SIGNATURE;
import static io.phasegate.platform.phasetoken.PhaseTokenRejected.Reason.EXPIRED;
import static io.phasegate.platform.phasetoken.PhaseTokenRejected.Reason.MALFORMED;
import static io.phasegate.platform.phasetoken.PhaseTokenRejected.Reason.MISSING_CLAIMS;
import static io.phasegate.platform.phasetoken.PhaseTokenRejected.Reason.NOT_YET_VALID;
import static io.phasegate.platform.phasetoken.PhaseTokenRejected.Reason.TOO_LARGE;
import static io.phasegate.platform.phasetoken.PhaseTokenRejected.Reason.UNKNOWN_KEY;
import static io.phasegate.platform.phasetoken.PhaseTokenRejected.Reason.WRONG_AUDIENCE;
import static io.phasegate.platform.phasetoken.PhaseTokenRejected.Reason.WRONG_ISSUER;
import static io.phasegate.platform.phasetoken.PhaseTokenRejected.Reason.WRONG_TYPE;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import io.phasegate.platform.identity.VerifiedTokenCache;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Verifies phase tokens (SPEC §2.3, §7) and returns their claims, or throws {@link PhaseTokenRejected}.
 *
 * <p>Checks, in this order (the first failure decides the reason):
 * <ol>
 * <li>length at most {@value PhaseTokens#MAX_TOKEN_LENGTH} characters ({@code too_large}); three base64url parts
 *     of a JWS with a JSON object header ({@code malformed});</li>
 * <li>{@code alg} exactly {@code ES256}; {@code none} in any casing, HS*, RS*, PS*, EdDSA … are refused
 *     ({@code bad_signature}): the algorithm is pinned, never taken from the token;</li>
 * <li>the header holds only {@code alg}, {@code typ}, {@code kid}. A token carrying {@code jwk}, {@code jku},
 *     {@code x5u}, {@code x5c}, {@code x5t} or {@code x5t#S256} is <em>rejected</em> ({@code unknown_key}) rather
 *     than having them ignored, so no code path can ever be tempted to use them; any other parameter
 *     ({@code crit}, {@code b64}, {@code cty}, …) is {@code malformed};</li>
 * <li>{@code typ} exactly {@code phase+jwt} ({@code wrong_type}), so user and internal tokens are refused;</li>
 * <li>{@code kid} present and a key of the {@link PhaseTokenKeySource key source}, by exact map lookup and nothing else
 *     ({@code unknown_key});</li>
 * <li>the ES256 signature with that key ({@code bad_signature});</li>
 * <li>claims: {@code iss aud sub task_id phase gen jti iat exp} present ({@code missing_claims}) and well typed
 *     ({@code malformed}); {@code iss} equal to the configured issuer ({@code wrong_issuer}); {@code aud} containing
 *     the configured audience ({@code wrong_audience}); {@code exp} not passed and {@code nbf} (optional) and
 *     {@code iat} not in the future, each with {@link PhaseTokens#CLOCK_SKEW} tolerance ({@code expired},
 *     {@code not_yet_valid}).</li>
 * </ol>
 * Generation, task and claimant checks need the task's state and are the caller's (see {@link VerifiedPhaseToken}).
 */
public final class PhaseTokenVerifier {

    private final PhaseTokenKeySource keys;
    private final String issuer;
    private final String audience;
    private final Clock clock;

    private final VerifiedTokenCache<VerifiedPhaseToken> verified;

    public PhaseTokenVerifier(PhaseTokenKeySource keys, String issuer, String audience, Clock clock) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.issuer = Objects.requireNonNull(issuer, "issuer");
        this.audience = Objects.requireNonNull(audience, "audience");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.verified = new VerifiedTokenCache<>(100_000, clock);
    }

    /**
     * Returns the verified claims, or throws {@link PhaseTokenRejected} with the reason; never anything else. A token
     * verified before is answered from a {@link VerifiedTokenCache} (exact text, before its {@code exp}, while its
     * key is still in the key source).
     */
    public VerifiedPhaseToken verify(String token) {
        if (token != null) {
            Optional<VerifiedPhaseToken> remembered = verified.get(token, kid -> keys.verifier(kid).isPresent());
            if (remembered.isPresent()) {
                return remembered.get();
            }
        }
        try {
            return doVerify(token);
        } catch (PhaseTokenRejected e) {
            throw e;
        } catch (RuntimeException e) {
            // whatever a hostile token makes a parser throw is a malformed token, never a server error
            throw rejected(MALFORMED);
        }
    }

    private VerifiedPhaseToken doVerify(String token) {
        if (token == null || token.isEmpty()) {
            throw rejected(MALFORMED);
        }
        if (token.length() > PhaseTokens.MAX_TOKEN_LENGTH) {
            throw rejected(TOO_LARGE);
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw rejected(MALFORMED);
        }
        Map<String, Object> header = jsonObject(parts[0]);

        if (!(header.get("alg") instanceof String alg)) {
            throw rejected(MALFORMED);
        }
        if (!PhaseTokens.ALGORITHM.getName().equals(alg)) {
            throw rejected(BAD_SIGNATURE);
        }
        for (String name : header.keySet()) {
            if (PhaseTokens.KEY_HEADER_PARAMS.contains(name)) {
                throw rejected(UNKNOWN_KEY);
            }
        }
        for (String name : header.keySet()) {
            if (!PhaseTokens.ALLOWED_HEADER_PARAMS.contains(name)) {
                throw rejected(MALFORMED);
            }
        }
        if (!(header.get("typ") instanceof String typ) || !PhaseTokens.TYPE.getType().equals(typ)) {
            throw rejected(WRONG_TYPE);
        }
        if (!(header.get("kid") instanceof String kid)) {
            throw rejected(UNKNOWN_KEY);
        }
        JWSVerifier key = keys.verifier(kid).orElseThrow(() -> rejected(UNKNOWN_KEY));

        verifySignature(parts, key);

        VerifiedPhaseToken result = claims(jsonObject(parts[1]));
        verified.put(token, result, kid, result.expiresAt());
        return result;
    }

    private static void verifySignature(String[] parts, JWSVerifier key) {
        if (parts[2].isEmpty()) {
            throw rejected(BAD_SIGNATURE);
        }
        boolean valid;
        try {
            JWSHeader header = JWSHeader.parse(new Base64URL(parts[0]));
            byte[] signingInput = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
            valid = key.verify(header, signingInput, new Base64URL(parts[2]));
        } catch (ParseException e) {
            throw rejected(MALFORMED);
        } catch (JOSEException e) {
            throw rejected(BAD_SIGNATURE);
        }
        if (!valid) {
            throw rejected(BAD_SIGNATURE);
        }
    }

    private VerifiedPhaseToken claims(Map<String, Object> claims) {
        for (String name : List.of("iss", "aud", "sub", PhaseTokens.TASK_ID_CLAIM, PhaseTokens.PHASE_CLAIM,
                PhaseTokens.GENERATION_CLAIM, "jti", "iat", "exp")) {
            Object value = claims.get(name);
            if (value == null || (value instanceof String s && s.isBlank())
                    || (value instanceof List<?> list && list.isEmpty())) {
                throw rejected(MISSING_CLAIMS);
            }
        }
        String iss = string(claims, "iss");
        List<String> aud = audience(claims.get("aud"));
        String sub = string(claims, "sub");
        String taskId = string(claims, PhaseTokens.TASK_ID_CLAIM);
        String phase = string(claims, PhaseTokens.PHASE_CLAIM);
        long generation = number(claims, PhaseTokens.GENERATION_CLAIM);
        if (generation < 0) {
            throw rejected(MALFORMED);
        }
        String jti = string(claims, "jti");
        Instant issuedAt = Instant.ofEpochSecond(number(claims, "iat"));
        Instant expiresAt = Instant.ofEpochSecond(number(claims, "exp"));
        Instant notBefore = claims.get("nbf") == null ? null : Instant.ofEpochSecond(number(claims, "nbf"));

        if (!issuer.equals(iss)) {
            throw rejected(WRONG_ISSUER);
        }
        if (!aud.contains(audience)) {
            throw rejected(WRONG_AUDIENCE);
        }
        Instant now = clock.instant();
        if (!now.isBefore(expiresAt.plus(PhaseTokens.CLOCK_SKEW))) {
            throw rejected(EXPIRED);
        }
        Instant latestStart = now.plus(PhaseTokens.CLOCK_SKEW);
        if ((notBefore != null && latestStart.isBefore(notBefore)) || latestStart.isBefore(issuedAt)) {
            throw rejected(NOT_YET_VALID);
        }
        return new VerifiedPhaseToken(sub, taskId, phase, generation, jti, issuedAt, expiresAt);
    }

    private static Map<String, Object> jsonObject(String base64url) {
        try {
            return JSONObjectUtils.parse(new Base64URL(base64url).decodeToString());
        } catch (ParseException e) {
            throw rejected(MALFORMED);
        }
    }

    private static String string(Map<String, Object> claims, String name) {
        if (claims.get(name) instanceof String value) {
            return value;
        }
        throw rejected(MALFORMED);
    }

    /** An integral JSON number (NumericDate in whole seconds, or {@code gen}). */
    private static long number(Map<String, Object> claims, String name) {
        Object value = claims.get(name);
        if (value instanceof Long l) {
            return l;
        }
        if (value instanceof Integer i) {
            return i;
        }
        throw rejected(MALFORMED);
    }

    private static List<String> audience(Object aud) {
        if (aud instanceof String single) {
            return List.of(single);
        }
        if (aud instanceof List<?> list && list.stream().allMatch(String.class::isInstance)) {
            return list.stream().map(String.class::cast).toList();
        }
        throw rejected(MALFORMED);
    }

    private static PhaseTokenRejected rejected(PhaseTokenRejected.Reason reason) {
        return new PhaseTokenRejected(reason);
    }
}
