package io.phasegate.platform.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InternalTokenVerifierTest {

    private static final Duration TTL = Duration.ofMinutes(5);
    private static final CallerIdentity CALLER = new CallerIdentity("user-ada", "org-acme", Set.of("developer", "viewer"));

    @TempDir
    Path dir;

    private Path privateFile;
    private Path publicFile;
    private ECKey key;
    private MutableClock verifierClock;
    private InternalTokenVerifier verifier;

    @BeforeEach
    void setUp() {
        privateFile = dir.resolve("gateway-signing.json");
        key = JwkFiles.loadOrCreateSigningKey(privateFile, "gw", true);
        publicFile = JwkFiles.publicFileOf(privateFile);
        // Expiry is checked against the system time by nimbus, so the verifier's clock starts at the real time.
        verifierClock = new MutableClock(Instant.now());
        verifier = new InternalTokenVerifier(publicFile, verifierClock);
    }

    // --- accepted ------------------------------------------------------------------------------------------------

    @Test
    void acceptsATokenOfTheIssuerWithTheMatchingKeyFile() {
        String token = issuer(key).issue(CALLER);

        assertThat(verifier.verify(token)).contains(CALLER);
    }

    @Test
    void acceptsAHandSignedTokenThatFollowsAllRules() {
        // the control for the hand-made tokens below: each of them differs from this one in one respect only
        assertThat(verifier.verify(sign(key, header(key), claims()))).contains(CALLER);
    }

    @Test
    void acceptsATokenThatExpiredWithinTheAllowedSkew() {
        // exp = now - 2 s, within the 5 s skew
        String token = issuer(key, Clock.fixed(Instant.now().minus(TTL).minusSeconds(2), ZoneOffset.UTC)).issue(CALLER);

        assertThat(verifier.verify(token)).contains(CALLER);
    }

    // --- rejected ------------------------------------------------------------------------------------------------

    @Test
    void rejectsMissingAndEmptyTokens() {
        assertThat(verifier.verify(null)).isEmpty();
        assertThat(verifier.verify("")).isEmpty();
        assertThat(verifier.verify("not-a-jwt")).isEmpty();
    }

    @Test
    void rejectsAnExpiredToken() {
        // exp = now - 10 s, beyond the 5 s skew
        String token = issuer(key, Clock.fixed(Instant.now().minus(TTL).minusSeconds(10), ZoneOffset.UTC)).issue(CALLER);

        assertThat(verifier.verify(token)).isEmpty();
    }

    @Test
    void theIssuerReusesATokenPerCallerForHalfItsLifetime() {
        MutableClock clock = new MutableClock(Instant.now());
        InternalTokenIssuer issuer = issuer(key, clock);
        String first = issuer.issue(CALLER);

        assertThat(issuer.issue(CALLER)).isEqualTo(first);
        assertThat(issuer.issue(new CallerIdentity("user-bob", "org-acme", Set.of("developer"))))
                .isNotEqualTo(first);
        clock.advance(TTL.dividedBy(2));
        verifierClock.advance(TTL.dividedBy(2));
        String renewed = issuer.issue(CALLER);
        assertThat(renewed).isNotEqualTo(first);
        assertThat(verifier.verify(renewed)).contains(CALLER);
    }

    @Test
    void aTokenVerifiedBeforeIsRefusedOnceItsKeyIsNoLongerTrusted() throws Exception {
        String token = issuer(key).issue(CALLER);
        assertThat(verifier.verify(token)).contains(CALLER);

        // the gateway's key is replaced: the public key file now holds another key only
        ECKey replacement = rotatedKey("gw-2");
        JwkFiles.writeAtomically(publicFile, publicSet(replacement));
        verifierClock.advance(Duration.ofSeconds(2));
        assertThat(verifier.verify(issuer(replacement).issue(CALLER))).contains(CALLER);

        assertThat(verifier.verify(token)).isEmpty();
    }

    @Test
    void judgesExpiryByItsOwnClock() {
        String token = issuer(key).issue(CALLER);
        assertThat(verifier.verify(token)).isPresent();

        verifierClock.advance(Duration.ofDays(1));

        assertThat(verifier.verify(token)).isEmpty();
    }

    @Test
    void keepsItsKeysWhenTheKeyFileIsMomentarilyMissing() throws Exception {
        String token = issuer(key).issue(CALLER);
        assertThat(verifier.verify(token)).isPresent();
        java.nio.file.Files.delete(publicFile);
        verifierClock.advance(Duration.ofSeconds(2));
        // a token with an unknown kid triggers a reload attempt while the file is gone
        ECKey other = new com.nimbusds.jose.jwk.gen.ECKeyGenerator(com.nimbusds.jose.jwk.Curve.P_256).keyID("other").generate();
        assertThat(verifier.verify(issuer(other).issue(CALLER))).isEmpty();

        assertThat(verifier.verify(token)).isPresent();
    }

    @Test
    void rejectsATokenNotValidYet() {
        String token = issuer(key, Clock.fixed(Instant.now().plusSeconds(60), ZoneOffset.UTC)).issue(CALLER);

        assertThat(verifier.verify(token)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"JWT", "phase+jwt", "at+jwt"})
    void rejectsAnotherTyp(String typ) {
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.ES256).type(new JOSEObjectType(typ))
                .keyID(key.getKeyID()).build();

        assertThat(verifier.verify(sign(key, header, claims()))).isEmpty();
    }

    @Test
    void rejectsAMissingTyp() {
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build();

        assertThat(verifier.verify(sign(key, header, claims()))).isEmpty();
    }

    @Test
    void rejectsAnotherIssuer() {
        assertThat(verifier.verify(sign(key, header(key), claims(c -> c.issuer("someone-else"))))).isEmpty();
    }

    @Test
    void rejectsAnotherAudience() {
        assertThat(verifier.verify(sign(key, header(key), claims(c -> c.audience("phasegate-gateway"))))).isEmpty();
        assertThat(verifier.verify(sign(key, header(key), claims(c -> c.audience((String) null))))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "None", "NONE"})
    void rejectsAnUnsignedToken(String alg) {
        String header = "{\"alg\":\"" + alg + "\",\"typ\":\"" + InternalTokens.TYPE + "\",\"kid\":\"" + key.getKeyID() + "\"}";
        String unsigned = b64(header) + "." + claims().toPayload().toBase64URL() + ".";

        assertThat(verifier.verify(unsigned)).isEmpty();
        // with the (valid) signature of a real token appended
        String real = issuer(key).issue(CALLER);
        assertThat(verifier.verify(b64(header) + "." + claims().toPayload().toBase64URL() + "."
                + real.substring(real.lastIndexOf('.') + 1))).isEmpty();
    }

    @Test
    void rejectsHs256SignedWithThePublicKeyBytes() throws Exception {
        // the classic algorithm confusion: an HMAC keyed with the (public) verification key
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.HS256).type(InternalTokens.TYPE)
                .keyID(key.getKeyID()).build();
        byte[] publicKeyBytes = key.toPublicJWK().toECPublicKey().getEncoded();
        SignedJWT jwt = new SignedJWT(header, claims());
        jwt.sign(new MACSigner(publicKeyBytes));
        assertThat(verifier.verify(jwt.serialize())).isEmpty();

        SignedJWT withJwkJson = new SignedJWT(header, claims());
        withJwkJson.sign(new MACSigner(key.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8)));
        assertThat(verifier.verify(withJwkJson.serialize())).isEmpty();
    }

    @Test
    void rejectsATamperedPayload() {
        String token = issuer(key).issue(CALLER);
        String[] parts = token.split("\\.");
        JWTClaimsSet tampered = claims(c -> c.claim(InternalTokens.ORG_CLAIM, "org-other")
                .claim(InternalTokens.ROLES_CLAIM, List.of("admin")));

        assertThat(verifier.verify(parts[0] + "." + tampered.toPayload().toBase64URL() + "." + parts[2])).isEmpty();
    }

    @Test
    void rejectsATruncatedSignature() {
        String token = issuer(key).issue(CALLER);

        assertThat(verifier.verify(token.substring(0, token.length() - 4))).isEmpty();
        assertThat(verifier.verify(token.substring(0, token.lastIndexOf('.') + 1))).isEmpty();
        assertThat(verifier.verify(token.substring(0, token.lastIndexOf('.')))).isEmpty();
    }

    @Test
    void rejectsATokenOfAnotherKeyWithTheSameKid() throws Exception {
        ECKey impostor = new ECKeyGenerator(Curve.P_256).keyID(key.getKeyID()).generate();

        assertThat(verifier.verify(issuer(impostor).issue(CALLER))).isEmpty();
        // and the real key is still accepted afterwards
        assertThat(verifier.verify(issuer(key).issue(CALLER))).isPresent();
    }

    @Test
    void rejectsAMissingOrBlankOrgClaim() {
        assertThat(verifier.verify(sign(key, header(key), claims(c -> c.claim(InternalTokens.ORG_CLAIM, null))))).isEmpty();
        assertThat(verifier.verify(sign(key, header(key), claims(c -> c.claim(InternalTokens.ORG_CLAIM, " "))))).isEmpty();
    }

    @Test
    void rejectsMissingRolesOrSubject() {
        assertThat(verifier.verify(sign(key, header(key), claims(c -> c.claim(InternalTokens.ROLES_CLAIM, null))))).isEmpty();
        assertThat(verifier.verify(sign(key, header(key), claims(c -> c.subject(null))))).isEmpty();
    }

    @Test
    void rejectsATokenLongerThan8KiB() {
        String large = tokenWithPadding(length -> length > 8192 && length < 8400);
        String justFits = tokenWithPadding(length -> length > 8000 && length <= 8192);

        assertThat(verifier.verify(justFits)).as("a validly signed token of %d chars", justFits.length()).isPresent();
        assertThat(verifier.verify(large)).as("a validly signed token of %d chars", large.length()).isEmpty();
    }

    // --- key rotation --------------------------------------------------------------------------------------------

    @Test
    void picksUpARotatedKeyWrittenAfterTheVerifierWasCreated() throws Exception {
        assertThat(verifier.verify(issuer(key).issue(CALLER))).isPresent(); // loads the key file
        ECKey next = rotatedKey("gw-next");
        String nextToken = issuer(next).issue(CALLER);

        verifierClock.advance(Duration.ofSeconds(1));
        JwkFiles.writeAtomically(publicFile, publicSet(key, next));

        assertThat(verifier.verify(nextToken)).contains(CALLER);
        assertThat(verifier.verify(issuer(key).issue(CALLER))).as("the previous key stays valid").contains(CALLER);
    }

    @Test
    void reloadsAtMostOnceASecond() throws Exception {
        verifierClock.advance(Duration.ofSeconds(5));
        assertThat(verifier.verify(issuer(key).issue(CALLER))).isPresent(); // first load at t0

        ECKey second = rotatedKey("gw-second");
        JwkFiles.writeAtomically(publicFile, publicSet(key, second));
        verifierClock.advance(Duration.ofMillis(1000));
        assertThat(verifier.verify(issuer(second).issue(CALLER))).as("unknown kid 1 s after the load reloads")
                .isPresent(); // reload at t0 + 1 s

        ECKey third = rotatedKey("gw-third");
        JwkFiles.writeAtomically(publicFile, publicSet(key, second, third));
        String thirdToken = issuer(third).issue(CALLER);
        verifierClock.advance(Duration.ofMillis(999));
        assertThat(verifier.verify(thirdToken)).as("a second unknown kid within the second does not reload").isEmpty();
        assertThat(verifier.verify(issuer(second).issue(CALLER))).as("loaded keys keep working").isPresent();

        verifierClock.advance(Duration.ofMillis(1));
        assertThat(verifier.verify(thirdToken)).as("after the second has passed the file is read again").contains(CALLER);
    }

    @Test
    void aKnownKidDoesNotReloadTheFile() throws Exception {
        assertThat(verifier.verify(issuer(key).issue(CALLER))).isPresent();
        // the file now lacks the loaded key; as long as tokens name a loaded kid it is not read again
        ECKey other = rotatedKey("gw-other");
        JwkFiles.writeAtomically(publicFile, publicSet(other));
        verifierClock.advance(Duration.ofSeconds(10));

        assertThat(verifier.verify(issuer(key).issue(CALLER))).isPresent();
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    private ECKey rotatedKey(String kidPrefix) {
        // a separate private file per key: kids are made of a prefix and the second of creation
        return JwkFiles.loadOrCreateSigningKey(dir.resolve(kidPrefix + ".json"), kidPrefix, true);
    }

    private static String publicSet(ECKey... keys) {
        return new JWKSet(List.<JWK>of(keys).stream().map(JWK::toPublicJWK).toList()).toString(true);
    }

    private static InternalTokenIssuer issuer(ECKey key) {
        return issuer(key, Clock.systemUTC());
    }

    private static InternalTokenIssuer issuer(ECKey key, Clock clock) {
        return new InternalTokenIssuer(key, TTL, clock);
    }

    private static JWSHeader header(ECKey key) {
        return new JWSHeader.Builder(JWSAlgorithm.ES256).type(InternalTokens.TYPE).keyID(key.getKeyID()).build();
    }

    private static JWTClaimsSet claims() {
        return claims(c -> {
        });
    }

    /** The claims the issuer would write for {@link #CALLER}, then changed by {@code change}. */
    private static JWTClaimsSet claims(Consumer<JWTClaimsSet.Builder> change) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder()
                .issuer(InternalTokens.ISSUER)
                .audience(InternalTokens.AUDIENCE)
                .subject(CALLER.subject())
                .claim(InternalTokens.ORG_CLAIM, CALLER.orgId())
                .claim(InternalTokens.ROLES_CLAIM, List.copyOf(CALLER.roles()))
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(TTL)))
                .jwtID(UUID.randomUUID().toString());
        change.accept(builder);
        return builder.build();
    }

    private static String sign(ECKey key, JWSHeader header, JWTClaimsSet claims) {
        try {
            JWSSigner signer = new ECDSASigner(key);
            SignedJWT jwt = new SignedJWT(header, claims);
            jwt.sign(signer);
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A correctly signed token padded with a filler claim until its length satisfies {@code fits}. */
    private String tokenWithPadding(java.util.function.IntPredicate fits) {
        for (int padding = 5500; padding < 6500; padding++) {
            String filler = "x".repeat(padding);
            String token = sign(key, header(key), claims(c -> c.claim("filler", filler)));
            if (fits.test(token.length())) {
                return token;
            }
        }
        throw new IllegalStateException("no padding gives a token of the wanted length");
    }

    private static String b64(String json) {
        return Base64URL.encode(json.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** A clock the test moves by hand. */
    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
