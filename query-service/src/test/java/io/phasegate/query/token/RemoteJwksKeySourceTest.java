package io.phasegate.query.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.KeyUse;
import io.phasegate.platform.phasetoken.PhaseTokenRejected;
import io.phasegate.platform.phasetoken.PhaseTokenVerifier;
import io.phasegate.platform.phasetoken.PhaseTokens;
import io.phasegate.platform.phasetoken.VerifiedPhaseToken;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link RemoteJwksKeySource} against a real local HTTP server, with a clock the test moves. */
class RemoteJwksKeySourceTest {

    private static final Duration INTERVAL = Duration.ofSeconds(30);
    private static final Duration MAX_AGE = Duration.ofMinutes(5);

    private TestPhaseTokens jwks;
    private MutableClock clock;
    private RemoteJwksKeySource keys;

    @BeforeEach
    void setUp() {
        jwks = TestPhaseTokens.start();
        clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        keys = source(Duration.ofSeconds(2));
    }

    @AfterEach
    void tearDown() {
        jwks.close();
    }

    private RemoteJwksKeySource source(Duration timeout) {
        return new RemoteJwksKeySource(URI.create(jwks.jwksUri()), INTERVAL, MAX_AGE, timeout, clock);
    }

    @Test
    void verifiesATokenWithThePublishedKeyAndFetchesOnlyOnce() {
        PhaseTokenVerifier verifier = new PhaseTokenVerifier(keys, PhaseTokens.DEFAULT_ISSUER,
                PhaseTokens.DEFAULT_AUDIENCE, Clock.systemUTC());
        VerifiedPhaseToken verified = verifier.verify(jwks.token("agent-1", "task-1", "PLAN", 3));
        assertThat(verified.agentId()).isEqualTo("agent-1");
        assertThat(verified.taskId()).isEqualTo("task-1");
        assertThat(verified.generation()).isEqualTo(3);
        for (int i = 0; i < 20; i++) {
            verifier.verify(jwks.token("agent-1", "task-1", "PLAN", 3));
        }
        assertThat(jwks.requests()).isEqualTo(1);
        // the kid is looked up in the cache only; the configured URL is the only one ever requested
        assertThat(jwks.requestUris()).containsOnly(TestPhaseTokens.PATH);
        // only the EC P-256 key is taken from the set (it also holds an RSA and a P-384 key)
        assertThat(keys.kids()).containsExactly(jwks.signingKey().getKeyID());
    }

    @Test
    void randomKeyIdsCauseAtMostOneFetchPerInterval() {
        assertThat(keys.verifier(jwks.signingKey().getKeyID())).isPresent();
        assertThat(jwks.requests()).isEqualTo(1);

        // a flood of unknown kids right after a fetch: no fetch at all
        for (int i = 0; i < 200; i++) {
            assertThat(keys.verifier("random-" + UUID.randomUUID())).isEmpty();
        }
        assertThat(jwks.requests()).isEqualTo(1);

        // after the interval: one fetch for the whole next flood
        clock.advance(INTERVAL.plusSeconds(1));
        for (int i = 0; i < 200; i++) {
            assertThat(keys.verifier("random-" + UUID.randomUUID())).isEmpty();
        }
        assertThat(jwks.requests()).isEqualTo(2);
        clock.advance(Duration.ofSeconds(29));
        assertThat(keys.verifier("random-" + UUID.randomUUID())).isEmpty();
        assertThat(jwks.requests()).isEqualTo(2);
        // the known key keeps working without fetches
        assertThat(keys.verifier(jwks.signingKey().getKeyID())).isPresent();
        assertThat(jwks.requests()).isEqualTo(2);
        // absurd kids never fetch
        clock.advance(INTERVAL.plusSeconds(1));
        assertThat(keys.verifier("")).isEmpty();
        assertThat(keys.verifier(null)).isEmpty();
        assertThat(keys.verifier("k".repeat(300))).isEmpty();
        assertThat(jwks.requests()).isEqualTo(2);
    }

    @Test
    void aRotatedKeyIsPickedUpOnItsFirstUseAfterTheIntervalAndARetiredOneDisappearsWithTheCache() {
        ECKey first = jwks.signingKey();
        assertThat(keys.verifier(first.getKeyID())).isPresent();
        ECKey second = TestPhaseTokens.ecKey(Curve.P_256, "phase-rotated");
        jwks.publish(first, second);
        // within the interval the new kid is not fetched yet
        clock.advance(Duration.ofSeconds(10));
        assertThat(keys.verifier(second.getKeyID())).isEmpty();
        clock.advance(INTERVAL);
        assertThat(keys.verifier(second.getKeyID())).isPresent();
        assertThat(jwks.requests()).isEqualTo(2);

        // the first key is retired: once the cache is older than its max age, it is gone
        jwks.publish(second);
        assertThat(keys.verifier(first.getKeyID())).isPresent();
        clock.advance(MAX_AGE);
        assertThat(keys.verifier(first.getKeyID())).isEmpty();
        assertThat(keys.verifier(second.getKeyID())).isPresent();
    }

    @Test
    void onlyEcP256SigningKeysAreAccepted() {
        ECKey p384 = TestPhaseTokens.ecKey(Curve.P_384, "p384-only");
        ECKey encryption = new ECKey.Builder(TestPhaseTokens.ecKey(Curve.P_256, "enc-key")).keyUse(KeyUse.ENCRYPTION)
                .build();
        ECKey wrongAlg = new ECKey.Builder(TestPhaseTokens.ecKey(Curve.P_256, "es384-key")).algorithm(JWSAlgorithm.ES384)
                .build();
        ECKey withoutKid = new ECKey.Builder(TestPhaseTokens.ecKey(Curve.P_256, "x")).keyID(null).build();
        ECKey good = TestPhaseTokens.ecKey(Curve.P_256, "good-key");
        jwks.publish(p384, encryption, wrongAlg, withoutKid, good);
        assertThat(keys.verifier("good-key")).isPresent();
        assertThat(keys.kids()).containsExactly("good-key");
        for (String kid : new String[]{"p384-only", "enc-key", "es384-key", "rsa-test", "p384-test"}) {
            assertThat(keys.verifier(kid)).as(kid).isEmpty();
        }
        // a token signed with the P-384 key under its own kid is refused as signed by an unknown key
        PhaseTokenVerifier verifier = new PhaseTokenVerifier(keys, PhaseTokens.DEFAULT_ISSUER,
                PhaseTokens.DEFAULT_AUDIENCE, Clock.systemUTC());
        assertThatThrownBy(() -> verifier.verify(TestPhaseTokens.sign(jwks.signingKey(), "p384-only",
                PhaseTokens.TYPE, TestPhaseTokens.claims("a", "t", "PLAN", 1, Instant.now()))))
                .isInstanceOfSatisfying(PhaseTokenRejected.class, e -> assertThat(e.code()).isEqualTo("unknown_key"));
    }

    @Test
    void aFailedFetchKeepsTheKeysItHad() {
        String kid = jwks.signingKey().getKeyID();
        assertThat(keys.verifier(kid)).isPresent();
        jwks.status(500);
        clock.advance(MAX_AGE);
        assertThat(keys.verifier(kid)).isPresent();
        assertThat(jwks.requests()).isEqualTo(2);
        jwks.status(200);
        jwks.serveRaw("{not json");
        clock.advance(INTERVAL);
        assertThat(keys.verifier(kid)).isPresent();
        jwks.serveRaw("{\"keys\": [], \"padding\": \"" + "x".repeat(RemoteJwksKeySource.MAX_BODY_BYTES) + "\"}");
        clock.advance(INTERVAL);
        assertThat(keys.verifier(kid)).isPresent();
        assertThat(jwks.requests()).isEqualTo(4);
    }

    @Test
    void beforeAnyKeyWasLoadedItRetriesSoonerButStillRateLimited() {
        jwks.status(503);
        String kid = jwks.signingKey().getKeyID();
        assertThat(keys.verifier(kid)).isEmpty();
        assertThat(keys.verifier(kid)).isEmpty();
        assertThat(jwks.requests()).isEqualTo(1);
        jwks.status(200);
        clock.advance(RemoteJwksKeySource.EMPTY_RETRY_INTERVAL);
        assertThat(keys.verifier(kid)).isPresent();
        assertThat(jwks.requests()).isEqualTo(2);
    }

    @Test
    void aSlowServerIsCutOffByTheTimeout() {
        RemoteJwksKeySource impatient = source(Duration.ofMillis(300));
        jwks.delay(Duration.ofSeconds(3));
        long start = System.nanoTime();
        assertThat(impatient.verifier(jwks.signingKey().getKeyID())).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void onlyHttpUrlsAreAccepted() {
        assertThatThrownBy(() -> new RemoteJwksKeySource(URI.create("file:///etc/passwd"), INTERVAL, MAX_AGE,
                Duration.ofSeconds(1), clock)).isInstanceOf(IllegalArgumentException.class);
    }

    static final class MutableClock extends Clock {
        private final AtomicReference<Instant> now;

        MutableClock(Instant start) {
            now = new AtomicReference<>(start);
        }

        void advance(Duration duration) {
            now.updateAndGet(t -> t.plus(duration));
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
            return now.get();
        }
    }
}
