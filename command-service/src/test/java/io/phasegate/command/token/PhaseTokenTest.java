package io.phasegate.command.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.phasegate.platform.identity.CallerIdentity;
import io.phasegate.platform.identity.InternalTokenIssuer;
import io.phasegate.platform.identity.InternalTokenVerifier;
import io.phasegate.platform.identity.JwkFiles;
import io.phasegate.platform.phasetoken.PhaseTokenRejected.Reason;
import io.phasegate.platform.phasetoken.PhaseTokenRejected;
import io.phasegate.platform.phasetoken.PhaseTokenVerifier;
import io.phasegate.platform.phasetoken.PhaseTokens;
import io.phasegate.platform.phasetoken.VerifiedPhaseToken;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PhaseTokenTest {

    private static final String ISSUER = "https://phasegate.test/command";
    private static final String AUDIENCE = "phasegate-agents";
    private static final Instant T0 = Instant.parse("2030-05-06T07:08:09Z");
    private static final PhaseTokenClaims CLAIMS = new PhaseTokenClaims("agent-7", "task-42", "TDD", 3, 600);

    private final MutableClock clock = new MutableClock(T0);
    private PhaseTokenKeys keys;
    private PhaseTokenIssuer issuer;
    private PhaseTokenVerifier verifier;

    @TempDir
    Path dir;

    @BeforeEach
    void setUp() {
        keys = PhaseTokenKeys.loadOrCreate(dir.resolve("phase-signing.json"), true, clock);
        issuer = new PhaseTokenIssuer(keys, ISSUER, AUDIENCE, clock);
        verifier = new PhaseTokenVerifier(keys, ISSUER, AUDIENCE, clock);
    }

    // ---------------------------------------------------------------- happy path

    @Test
    void issuedTokenVerifiesAndCarriesAllClaims() throws Exception {
        IssuedPhaseToken issued = issuer.issue(CLAIMS);

        SignedJWT jwt = SignedJWT.parse(issued.token());
        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
        assertThat(jwt.getHeader().getType()).isEqualTo(new JOSEObjectType("phase+jwt"));
        assertThat(jwt.getHeader().getKeyID()).isEqualTo(keys.activeKid()).isEqualTo(issued.kid());
        assertThat(jwt.getHeader().toJSONObject()).containsOnlyKeys("alg", "typ", "kid");
        JWTClaimsSet claims = jwt.getJWTClaimsSet();
        assertThat(claims.getClaims()).containsOnlyKeys("iss", "aud", "sub", "task_id", "phase", "gen", "jti",
                "iat", "nbf", "exp");
        assertThat(claims.getIssuer()).isEqualTo(ISSUER);
        assertThat(claims.getAudience()).containsExactly(AUDIENCE);
        assertThat(claims.getSubject()).isEqualTo("agent-7");
        assertThat(claims.getStringClaim("task_id")).isEqualTo("task-42");
        assertThat(claims.getStringClaim("phase")).isEqualTo("TDD");
        assertThat(claims.getClaim("gen")).isEqualTo(3L);
        assertThat(claims.getJWTID()).isEqualTo(issued.jti());
        assertThat(claims.getIssueTime().toInstant()).isEqualTo(T0).isEqualTo(issued.issuedAt());
        assertThat(claims.getNotBeforeTime().toInstant()).isEqualTo(T0);
        assertThat(claims.getExpirationTime().toInstant()).isEqualTo(T0.plusSeconds(600))
                .isEqualTo(issued.expiresAt());

        VerifiedPhaseToken verified = verifier.verify(issued.token());

        assertThat(verified).isEqualTo(new VerifiedPhaseToken("agent-7", "task-42", "TDD", 3, issued.jti(),
                T0, T0.plusSeconds(600)));
    }

    @Test
    void everyIssueHasItsOwnJtiAndTimesAreWholeSeconds() {
        clock.set(T0.plusMillis(987));

        IssuedPhaseToken a = issuer.issue(CLAIMS);
        IssuedPhaseToken b = issuer.issue(CLAIMS);

        assertThat(a.jti()).isNotEqualTo(b.jti());
        assertThat(a.issuedAt()).isEqualTo(T0);
        assertThat(a.expiresAt()).isEqualTo(T0.plusSeconds(600));
        assertThat(verifier.verify(a.token()).jti()).isEqualTo(a.jti());
    }

    @Test
    void issuedTokenToStringDoesNotRevealTheToken() {
        IssuedPhaseToken issued = issuer.issue(CLAIMS);

        assertThat(issued.toString()).doesNotContain(issued.token()).contains("redacted");
    }

    @Test
    void claimsAreValidated() {
        assertThatThrownBy(() -> new PhaseTokenClaims(" ", "t", "p", 1, 60)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PhaseTokenClaims("a", "", "p", 1, 60)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PhaseTokenClaims("a", "t", null, 1, 60)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new PhaseTokenClaims("a", "t", "p", -1, 60)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PhaseTokenClaims("a", "t", "p", 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PhaseTokenClaims("a", "t", "p", 1, -5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PhaseTokenClaims("a", "t", "p", 1, Long.MAX_VALUE))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void issuerRefusesToMintATokenTheVerifierWouldReject() {
        PhaseTokenClaims huge = new PhaseTokenClaims("agent", "task", "P".repeat(7000), 1, 60);

        assertThatThrownBy(() -> issuer.issue(huge)).isInstanceOf(IllegalArgumentException.class);
    }

    // ---------------------------------------------------------------- malformed and size

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "a.b", "a.b.c.d", "a.b.c.d.e", "..", "...", "e30.e30.", ".e30.AAAA",
            "eyJhbGciOiJFUzI1NiJ9", "bm90IGpzb24.e30.AAAA", "W10.e30.AAAA", "eyJhbGciOjF9.e30.AAAA"})
    void malformedTokensAreRejected(String token) {
        assertRejected(token, Reason.MALFORMED);
    }

    @Test
    void nullIsMalformed() {
        assertRejected(null, Reason.MALFORMED);
    }

    @Test
    void jweFiveParts_AndPayloadThatIsNotJson_AreMalformed() throws Exception {
        String header = b64(json(ourHeader()));
        assertRejected(header + ".e30.AAAA.BBBB.CCCC", Reason.MALFORMED);
        // correctly signed, but the payload is not a JSON object
        String payload = Base64URL.encode("[1,2,3]").toString();
        assertRejected(signRaw(header, payload, keys.activeEntry().signer()), Reason.MALFORMED);
    }

    @Test
    void oversizedTokensAreRejectedBeforeParsing() throws Exception {
        assertRejected("a".repeat(PhaseTokens.MAX_TOKEN_LENGTH + 1), Reason.TOO_LARGE);
        assertRejected("a".repeat(1_000_000), Reason.TOO_LARGE);
        // a genuinely signed, otherwise valid token over 8 KiB
        String big = sign(ourHeader().build(), validClaims().claim("padding", "x".repeat(9000)).build(), ourSigner());
        assertThat(big.length()).isGreaterThan(PhaseTokens.MAX_TOKEN_LENGTH);
        assertRejected(big, Reason.TOO_LARGE);
        // just under the limit is fine
        String fits = sign(ourHeader().build(), validClaims().claim("padding", "x".repeat(5500)).build(), ourSigner());
        assertThat(fits.length()).isLessThanOrEqualTo(PhaseTokens.MAX_TOKEN_LENGTH);
        assertThat(verifier.verify(fits).agentId()).isEqualTo("agent-7");
    }

    // ---------------------------------------------------------------- algorithm

    @ParameterizedTest
    @ValueSource(strings = {"none", "None", "NONE", "nOnE", "NoNe"})
    void algNoneIsRejectedInEveryCasing(String alg) throws Exception {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("alg", alg);
        header.put("typ", "phase+jwt");
        header.put("kid", keys.activeKid());
        String h = b64(json(header));
        String p = b64(JSONObjectUtils.toJSONString(validClaims().build().toJSONObject()));

        assertRejected(h + "." + p + ".", Reason.BAD_SIGNATURE);
        // with a signature lifted from a genuine token
        String genuineSignature = issuer.issue(CLAIMS).token().split("\\.")[2];
        assertRejected(h + "." + p + "." + genuineSignature, Reason.BAD_SIGNATURE);
        // and signed with our key over the forged header, which still must not help
        assertRejected(signRaw(h, p, ourSigner()), Reason.BAD_SIGNATURE);
    }

    @Test
    void hs256SignedWithThePublicKeyIsRejected() throws Exception {
        ECKey ours = keys.activeEntry().key();
        List<byte[]> secrets = List.of(
                ours.toECPublicKey().getEncoded(),                                           // X.509 DER
                ours.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8),           // JWK JSON
                keys.publicJwks().getBytes(StandardCharsets.UTF_8));                        // the JWKS document
        for (byte[] secret : secrets) {
            for (JWSAlgorithm hs : List.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512)) {
                if (secret.length * 8 < MACSigner.getMinRequiredSecretLength(hs)) {
                    continue;
                }
                String token = sign(new JWSHeader.Builder(hs).type(PhaseTokens.TYPE).keyID(keys.activeKid()).build(),
                        validClaims().build(), new MACSigner(secret));
                assertRejected(token, Reason.BAD_SIGNATURE);
            }
        }
    }

    @Test
    void rs256WithAnotherKeyIsRejected() throws Exception {
        RSAKey rsa = new RSAKeyGenerator(2048).keyID(keys.activeKid()).generate();

        for (JWSAlgorithm alg : List.of(JWSAlgorithm.RS256, JWSAlgorithm.PS256)) {
            String token = sign(new JWSHeader.Builder(alg).type(PhaseTokens.TYPE).keyID(keys.activeKid()).build(),
                    validClaims().build(), new RSASSASigner(rsa));
            assertRejected(token, Reason.BAD_SIGNATURE);
        }
    }

    @Test
    void otherEcAlgorithmsAreRejectedEvenWithOurKey() throws Exception {
        String header = b64("{\"alg\":\"ES384\",\"typ\":\"phase+jwt\",\"kid\":\"" + keys.activeKid() + "\"}");
        String payload = b64(JSONObjectUtils.toJSONString(validClaims().build().toJSONObject()));
        assertRejected(signRaw(header, payload, ourSigner()), Reason.BAD_SIGNATURE);
        // lower-case es256 is not ES256
        String lower = b64("{\"alg\":\"es256\",\"typ\":\"phase+jwt\",\"kid\":\"" + keys.activeKid() + "\"}");
        assertRejected(signRaw(lower, payload, ourSigner()), Reason.BAD_SIGNATURE);
    }

    // ---------------------------------------------------------------- signature

    @Test
    void tamperedPayloadIsRejected() throws Exception {
        String[] parts = issuer.issue(CLAIMS).token().split("\\.");
        Map<String, Object> claims = JSONObjectUtils.parse(new Base64URL(parts[1]).decodeToString());

        for (Map.Entry<String, Object> change : Map.<String, Object>of("gen", 4L, "phase", "DEPLOY",
                "sub", "agent-8", "exp", T0.plusSeconds(99_999).getEpochSecond()).entrySet()) {
            Map<String, Object> tampered = new LinkedHashMap<>(claims);
            tampered.put(change.getKey(), change.getValue());
            assertRejected(parts[0] + "." + b64(JSONObjectUtils.toJSONString(tampered)) + "." + parts[2],
                    Reason.BAD_SIGNATURE);
        }
        // a single flipped character in the payload
        char[] payload = parts[1].toCharArray();
        payload[payload.length / 2] = payload[payload.length / 2] == 'A' ? 'B' : 'A';
        assertRejected(parts[0] + "." + new String(payload) + "." + parts[2], Reason.BAD_SIGNATURE);
    }

    @Test
    void truncatedOrMissingSignatureIsRejected() {
        String token = issuer.issue(CLAIMS).token();
        String[] parts = token.split("\\.");

        assertRejected(token.substring(0, token.length() - 1), Reason.BAD_SIGNATURE);
        assertRejected(token.substring(0, token.length() - 4), Reason.BAD_SIGNATURE);
        assertRejected(parts[0] + "." + parts[1] + "." + parts[2].substring(0, parts[2].length() / 2),
                Reason.BAD_SIGNATURE);
        assertRejected(parts[0] + "." + parts[1] + ".", Reason.BAD_SIGNATURE);
        assertRejected(parts[0] + "." + parts[1] + "." + b64("\0".repeat(64)), Reason.BAD_SIGNATURE);
        assertRejected(parts[0] + "." + parts[1], Reason.MALFORMED);
    }

    @Test
    void signatureFromAnotherTokenIsRejected() {
        String[] a = issuer.issue(CLAIMS).token().split("\\.");
        String[] b = issuer.issue(new PhaseTokenClaims("agent-7", "task-42", "TDD", 4, 600)).token().split("\\.");

        assertRejected(b[0] + "." + b[1] + "." + a[2], Reason.BAD_SIGNATURE);
    }

    // ---------------------------------------------------------------- typ

    @Test
    void wrongOrMissingTypIsRejected() throws Exception {
        for (String typ : List.of("JWT", "jwt", "at+jwt", "phasegate-internal+jwt", "PHASE+JWT",
                "application/phase+jwt", "phase+jwt ", "")) {
            String token = sign(ourHeader().type(new JOSEObjectType(typ)).build(), validClaims().build(), ourSigner());
            assertRejected(token, Reason.WRONG_TYPE);
        }
        String untyped = sign(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(keys.activeKid()).build(),
                validClaims().build(), ourSigner());
        assertRejected(untyped, Reason.WRONG_TYPE);
        String numeric = b64("{\"alg\":\"ES256\",\"typ\":1,\"kid\":\"" + keys.activeKid() + "\"}");
        assertRejected(signRaw(numeric, b64(JSONObjectUtils.toJSONString(validClaims().build().toJSONObject())),
                ourSigner()), Reason.WRONG_TYPE);
    }

    @Test
    void internalIdentityTokenSignedWithTheSameKeyIsRefused() {
        // worst case: someone configured the gateway with the phase token key
        InternalTokenIssuer internal = new InternalTokenIssuer(keys.activeEntry().key(), Duration.ofMinutes(5), clock);

        String token = internal.issue(new CallerIdentity("agent-7", "org-1", Set.of("admin")));

        assertRejected(token, Reason.WRONG_TYPE);
    }

    @Test
    void phaseTokenIsRefusedAsAnInternalIdentityToken() {
        // the other direction: the services' internal-token verifier reading the phase token public keys
        InternalTokenVerifier internal = new InternalTokenVerifier(
                JwkFiles.publicFileOf(dir.resolve("phase-signing.json")), clock);

        assertThat(internal.verify(issuer.issue(CLAIMS).token())).isEmpty();
    }

    // ---------------------------------------------------------------- kid and key headers

    @Test
    void unknownOrMissingKidIsRejected() throws Exception {
        ECKey stranger = new ECKeyGenerator(Curve.P_256).keyID("phase-20300101000000-deadbeef").generate();
        assertRejected(sign(ourHeader().keyID(stranger.getKeyID()).build(), validClaims().build(),
                new ECDSASigner(stranger)), Reason.UNKNOWN_KEY);
        // our key, but a kid the ring does not have
        assertRejected(sign(ourHeader().keyID("phase-other").build(), validClaims().build(), ourSigner()),
                Reason.UNKNOWN_KEY);
        // a stranger's key under our kid: found, but the signature does not match
        assertRejected(sign(ourHeader().build(), validClaims().build(), new ECDSASigner(stranger)),
                Reason.BAD_SIGNATURE);
        assertRejected(sign(new JWSHeader.Builder(JWSAlgorithm.ES256).type(PhaseTokens.TYPE).build(),
                validClaims().build(), ourSigner()), Reason.UNKNOWN_KEY);
        String payload = b64(JSONObjectUtils.toJSONString(validClaims().build().toJSONObject()));
        assertRejected(signRaw(b64("{\"alg\":\"ES256\",\"typ\":\"phase+jwt\",\"kid\":42}"), payload, ourSigner()),
                Reason.UNKNOWN_KEY);
        assertRejected(signRaw(b64("{\"alg\":\"ES256\",\"typ\":\"phase+jwt\",\"kid\":null}"), payload, ourSigner()),
                Reason.UNKNOWN_KEY);
    }

    @ParameterizedTest
    @ValueSource(strings = {"../../etc/passwd", "/etc/passwd", "' OR 1=1", "' OR '1'='1' --", "*", "%",
            "phase-*", "${jndi:ldap://evil/a}", "\u0000", "file:///dev/zero", "https://evil.example/jwks.json"})
    void injectedKidIsJustAnUnknownKey(String kid) throws Exception {
        assertRejected(sign(ourHeader().keyID(kid).build(), validClaims().build(), ourSigner()), Reason.UNKNOWN_KEY);
    }

    @Test
    void embeddedJwkWithTheAttackersOwnKeyIsRejected() throws Exception {
        ECKey attacker = new ECKeyGenerator(Curve.P_256).keyID("attacker").generate();

        // self-signed with its own embedded key, under the attacker's kid and under ours
        assertRejected(sign(ourHeader().keyID("attacker").jwk(attacker.toPublicJWK()).build(),
                validClaims().build(), new ECDSASigner(attacker)), Reason.UNKNOWN_KEY);
        assertRejected(sign(ourHeader().jwk(attacker.toPublicJWK()).build(), validClaims().build(),
                new ECDSASigner(attacker)), Reason.UNKNOWN_KEY);
        // even signed by our key, a token carrying a key header is refused
        assertRejected(sign(ourHeader().jwk(attacker.toPublicJWK()).build(), validClaims().build(), ourSigner()),
                Reason.UNKNOWN_KEY);
    }

    @Test
    void jkuX5uX5cHeadersAreRejected() throws Exception {
        ECKey attacker = new ECKeyGenerator(Curve.P_256).generate();
        URI evil = URI.create("https://evil.example/keys");
        List<JWSHeader> headers = List.of(
                ourHeader().jwkURL(evil).build(),
                ourHeader().x509CertURL(evil).build(),
                ourHeader().x509CertChain(List.of(Base64.encode("not really a certificate"))).build(),
                ourHeader().x509CertSHA256Thumbprint(attacker.computeThumbprint()).build());
        for (JWSHeader header : headers) {
            assertRejected(sign(header, validClaims().build(), ourSigner()), Reason.UNKNOWN_KEY);
            assertRejected(sign(header, validClaims().build(), new ECDSASigner(attacker)), Reason.UNKNOWN_KEY);
        }
    }

    @Test
    void unexpectedHeaderParametersAreMalformed() throws Exception {
        assertRejected(sign(ourHeader().criticalParams(Set.of("exp")).customParam("exp", 1).build(),
                validClaims().build(), ourSigner()), Reason.MALFORMED);
        assertRejected(sign(ourHeader().contentType("JWT").build(), validClaims().build(), ourSigner()),
                Reason.MALFORMED);
        assertRejected(sign(ourHeader().customParam("x", "y").build(), validClaims().build(), ourSigner()),
                Reason.MALFORMED);
    }

    // ---------------------------------------------------------------- time

    @Test
    void expiredTokensAreRejectedAfterTheSkew() {
        String token = issuer.issue(CLAIMS).token();

        clock.set(T0.plusSeconds(600 + 4));
        assertThat(verifier.verify(token).taskId()).isEqualTo("task-42");
        clock.set(T0.plusSeconds(600 + 5));
        assertRejected(token, Reason.EXPIRED);
        clock.set(T0.plus(Duration.ofDays(400)));
        assertRejected(token, Reason.EXPIRED);
    }

    @Test
    void notYetValidTokensAreRejectedBeyondTheSkew() throws Exception {
        String nbfSoon = sign(ourHeader().build(), validClaims().notBeforeTime(Date.from(T0.plusSeconds(5))).build(),
                ourSigner());
        String nbfLater = sign(ourHeader().build(), validClaims().notBeforeTime(Date.from(T0.plusSeconds(60))).build(),
                ourSigner());
        String iatLater = sign(ourHeader().build(), validClaims().issueTime(Date.from(T0.plusSeconds(60)))
                .notBeforeTime(null).build(), ourSigner());

        assertThat(verifier.verify(nbfSoon).agentId()).isEqualTo("agent-7");
        assertRejected(nbfLater, Reason.NOT_YET_VALID);
        assertRejected(iatLater, Reason.NOT_YET_VALID);

        clock.set(T0.plusSeconds(55));
        assertThat(verifier.verify(nbfLater).agentId()).isEqualTo("agent-7");
    }

    @Test
    void tokenIssuedByAClockAheadVerifiesWithinTheSkew() {
        MutableClock ahead = new MutableClock(T0.plusSeconds(4));
        IssuedPhaseToken token = new PhaseTokenIssuer(keys, ISSUER, AUDIENCE, ahead).issue(CLAIMS);

        assertThat(verifier.verify(token.token()).issuedAt()).isEqualTo(T0.plusSeconds(4));
    }

    // ---------------------------------------------------------------- claims

    @ParameterizedTest
    @ValueSource(strings = {"exp", "iat", "iss", "aud", "sub", "task_id", "phase", "gen", "jti"})
    void missingRequiredClaimsAreRejected(String claim) throws Exception {
        Map<String, Object> claims = new LinkedHashMap<>(validClaims().build().toJSONObject());
        claims.remove(claim);
        assertRejected(signClaims(claims), Reason.MISSING_CLAIMS);

        claims.put(claim, null);
        assertRejected(signClaims(claims), Reason.MISSING_CLAIMS);
    }

    @Test
    void blankClaimsCountAsMissing() throws Exception {
        assertRejected(sign(ourHeader().build(), validClaims().subject(" ").build(), ourSigner()),
                Reason.MISSING_CLAIMS);
        assertRejected(sign(ourHeader().build(), validClaims().claim("task_id", "").build(), ourSigner()),
                Reason.MISSING_CLAIMS);
        assertRejected(sign(ourHeader().build(), validClaims().audience(List.of()).build(), ourSigner()),
                Reason.MISSING_CLAIMS);
    }

    @Test
    void mistypedClaimsAreMalformed() throws Exception {
        for (Map.Entry<String, Object> wrong : List.<Map.Entry<String, Object>>of(
                Map.entry("gen", "3"), Map.entry("gen", 3.5), Map.entry("gen", -1L), Map.entry("sub", 7L),
                Map.entry("exp", "tomorrow"), Map.entry("iat", 1.5e9), Map.entry("aud", List.of(1L)),
                Map.entry("phase", List.of("TDD")), Map.entry("exp", Long.MAX_VALUE))) {
            Map<String, Object> claims = new LinkedHashMap<>(validClaims().build().toJSONObject());
            claims.put(wrong.getKey(), wrong.getValue());
            assertRejected(signClaims(claims), Reason.MALFORMED);
        }
    }

    @Test
    void wrongIssuerIsRejected() throws Exception {
        assertRejected(sign(ourHeader().build(), validClaims().issuer("https://evil.example").build(), ourSigner()),
                Reason.WRONG_ISSUER);
        assertRejected(sign(ourHeader().build(), validClaims().issuer(ISSUER.toUpperCase()).build(), ourSigner()),
                Reason.WRONG_ISSUER);
        PhaseTokenVerifier otherService = new PhaseTokenVerifier(keys, "phasegate-gateway", AUDIENCE, clock);
        assertThatThrownBy(() -> otherService.verify(issuer.issue(CLAIMS).token()))
                .isInstanceOfSatisfying(PhaseTokenRejected.class, e -> assertThat(e.code()).isEqualTo("wrong_issuer"));
    }

    @Test
    void wrongAudienceIsRejected() throws Exception {
        assertRejected(sign(ourHeader().build(), validClaims().audience("phasegate-services").build(), ourSigner()),
                Reason.WRONG_AUDIENCE);
        assertRejected(sign(ourHeader().build(), validClaims().audience(List.of("a", "b")).build(), ourSigner()),
                Reason.WRONG_AUDIENCE);
        // an audience list that includes ours is fine
        assertThat(verifier.verify(sign(ourHeader().build(), validClaims().audience(List.of("x", AUDIENCE)).build(),
                ourSigner())).taskId()).isEqualTo("task-42");
    }

    @Test
    void generationIsExposedForTheAggregateToCompare() {
        long current = 5;
        VerifiedPhaseToken stale = verifier.verify(issuer.issue(
                new PhaseTokenClaims("agent-7", "task-42", "TDD", 4, 600)).token());
        VerifiedPhaseToken fresh = verifier.verify(issuer.issue(
                new PhaseTokenClaims("agent-7", "task-42", "TDD", current, 600)).token());

        assertThat(stale.generation()).isNotEqualTo(current);
        assertThat(fresh.generation()).isEqualTo(current);
    }

    // ---------------------------------------------------------------- rotation

    @Test
    void aTokenVerifiedBeforeIsStillRefusedOnceItExpires() {
        IssuedPhaseToken token = issuer.issue(CLAIMS);
        assertThat(verifier.verify(token.token()).jti()).isEqualTo(token.jti());
        assertThat(verifier.verify(token.token()).jti()).as("answered again").isEqualTo(token.jti());

        clock.set(token.expiresAt().plus(PhaseTokens.CLOCK_SKEW));

        assertRejected(token.token(), Reason.EXPIRED);
    }

    @Test
    void oldTokensVerifyAfterRotationUntilTheOldKeyIsRetired() {
        String oldKid = keys.activeKid();
        IssuedPhaseToken old = issuer.issue(CLAIMS);

        String newKid = keys.rotate();
        IssuedPhaseToken fresh = issuer.issue(CLAIMS);

        assertThat(newKid).isNotEqualTo(oldKid);
        assertThat(old.kid()).isEqualTo(oldKid);
        assertThat(fresh.kid()).isEqualTo(newKid);
        assertThat(verifier.verify(old.token()).jti()).isEqualTo(old.jti());
        assertThat(verifier.verify(fresh.token()).jti()).isEqualTo(fresh.jti());

        keys.retire(oldKid);

        assertRejected(old.token(), Reason.UNKNOWN_KEY);
        assertThat(verifier.verify(fresh.token()).jti()).isEqualTo(fresh.jti());
        // a verifier started later from the persisted file agrees
        PhaseTokenKeys restarted = PhaseTokenKeys.loadOrCreate(dir.resolve("phase-signing.json"), false, clock);
        PhaseTokenVerifier afterRestart = new PhaseTokenVerifier(restarted, ISSUER, AUDIENCE, clock);
        assertThat(afterRestart.verify(fresh.token()).jti()).isEqualTo(fresh.jti());
        assertThatThrownBy(() -> afterRestart.verify(old.token())).isInstanceOf(PhaseTokenRejected.class);
    }

    @Test
    void aTokenFromAnotherRingIsRejected() {
        PhaseTokenKeys other = PhaseTokenKeys.inMemory(clock);
        String token = new PhaseTokenIssuer(other, ISSUER, AUDIENCE, clock).issue(CLAIMS).token();

        assertRejected(token, Reason.UNKNOWN_KEY);
    }

    // ---------------------------------------------------------------- the rejection itself

    @Test
    void rejectionCodesAreStableAndMessagesNeverEchoTheToken() {
        assertThat(List.of(Reason.values())).extracting(Reason::code).containsExactly("malformed", "bad_signature",
                "wrong_type", "expired", "not_yet_valid", "wrong_issuer", "wrong_audience", "unknown_key",
                "missing_claims", "too_large");
        String kid = "<script>alert(1)</script>";
        PhaseTokenRejected e = catchThrowableOfType(PhaseTokenRejected.class,
                () -> verifier.verify(sign(ourHeader().keyID(kid).build(), validClaims().build(), ourSigner())));
        assertThat(e.getMessage()).doesNotContain(kid);
        assertThat(e.getStackTrace()).isEmpty();
    }

    // ---------------------------------------------------------------- helpers

    private void assertRejected(String token, Reason reason) {
        assertThatThrownBy(() -> verifier.verify(token))
                .as("token %s", token == null || token.length() > 200 ? "(long)" : token)
                .isInstanceOfSatisfying(PhaseTokenRejected.class, e -> {
                    assertThat(e.reason()).isEqualTo(reason);
                    assertThat(e.code()).isEqualTo(reason.code());
                });
    }

    private JWSSigner ourSigner() {
        return keys.activeEntry().signer();
    }

    private JWSHeader.Builder ourHeader() {
        return new JWSHeader.Builder(JWSAlgorithm.ES256).type(PhaseTokens.TYPE).keyID(keys.activeKid());
    }

    private JWTClaimsSet.Builder validClaims() {
        return new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .subject("agent-7")
                .claim("task_id", "task-42")
                .claim("phase", "TDD")
                .claim("gen", 3L)
                .jwtID("jti-1")
                .issueTime(Date.from(T0))
                .notBeforeTime(Date.from(T0))
                .expirationTime(Date.from(T0.plusSeconds(600)));
    }

    private static String sign(JWSHeader header, JWTClaimsSet claims, JWSSigner signer) throws Exception {
        SignedJWT jwt = new SignedJWT(header, claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    /** Signs claims given as raw JSON members (so they may be null, mistyped, …) with our key and header. */
    private String signClaims(Map<String, Object> claims) throws Exception {
        return signRaw(b64(json(ourHeader())), b64(JSONObjectUtils.toJSONString(claims)), ourSigner());
    }

    /** Signs whatever header and payload were given, byte for byte, the way an attacker holding a key would. */
    private static String signRaw(String header, String payload, JWSSigner signer) throws Exception {
        JWSHeader es256 = new JWSHeader(JWSAlgorithm.ES256);
        JWSHeader forSigner = signer instanceof ECDSASigner ? es256 : new JWSHeader(JWSAlgorithm.HS256);
        Base64URL signature = signer.sign(forSigner, (header + "." + payload).getBytes(StandardCharsets.US_ASCII));
        return header + "." + payload + "." + signature;
    }

    private static String json(JWSHeader.Builder header) {
        return JSONObjectUtils.toJSONString(header.build().toJSONObject());
    }

    private static String json(Map<String, Object> map) {
        return JSONObjectUtils.toJSONString(map);
    }

    private static String b64(String text) {
        return Base64URL.encode(text.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
