package io.phasegate.query.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.phasegate.platform.phasetoken.PhaseTokens;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Phase tokens for tests, signed like command-service signs them (ES256, {@code typ} {@code phase+jwt}, {@code kid}),
 * and a tiny JWK-set server on 127.0.0.1 that serves their public keys, as command-service's
 * {@code /.well-known/jwks.json} does, and counts the requests it gets.
 */
public final class TestPhaseTokens implements AutoCloseable {

    public static final String PATH = "/.well-known/jwks.json";

    private static TestPhaseTokens shared;

    private final HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicReference<String> body = new AtomicReference<>();
    private final AtomicInteger status = new AtomicInteger(200);
    private final AtomicReference<Duration> delay = new AtomicReference<>(Duration.ZERO);
    private final List<String> requestUris = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ECKey signingKey;

    private TestPhaseTokens() {
        signingKey = ecKey(Curve.P_256, "phase-test-" + UUID.randomUUID().toString().substring(0, 8));
        publish(signingKey);
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            try (exchange) {
                requestUris.add(exchange.getRequestURI().toString());
                if (!PATH.equals(exchange.getRequestURI().getPath())) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                requests.incrementAndGet();
                try {
                    Thread.sleep(delay.get().toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/jwk-set+json");
                exchange.sendResponseHeaders(status.get(), bytes.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            } catch (IOException ignored) {
                // the client went away (time-out tests)
            }
        });
        server.start();
    }

    /** A server and signing key started once per JVM (the Spring contexts of the storage tests point at it). */
    public static synchronized TestPhaseTokens shared() {
        if (shared == null) {
            shared = new TestPhaseTokens();
        }
        return shared;
    }

    /** A server of its own (unit tests); close it. */
    public static TestPhaseTokens start() {
        return new TestPhaseTokens();
    }

    public String jwksUri() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + PATH;
    }

    /** Requests for the JWK set served so far. */
    public int requests() {
        return requests.get();
    }

    /** Every request URI (path and query) received so far. */
    public List<String> requestUris() {
        return List.copyOf(requestUris);
    }

    public ECKey signingKey() {
        return signingKey;
    }

    /**
     * Serves a JWK set of the public halves of {@code keys}, plus an RSA key and a P-384 key (which the key source
     * must ignore).
     */
    public void publish(JWK... keys) {
        List<JWK> published = new ArrayList<>();
        for (JWK key : keys) {
            published.add(key.toPublicJWK());
        }
        published.add(rsaKey("rsa-test").toPublicJWK());
        published.add(ecKey(Curve.P_384, "p384-test").toPublicJWK());
        body.set(new JWKSet(published).toString(true));
    }

    /** Serves {@code json} as it is. */
    public void serveRaw(String json) {
        body.set(json);
    }

    public void status(int code) {
        status.set(code);
    }

    public void delay(Duration duration) {
        delay.set(duration);
    }

    /** A current phase token signed with the served key. */
    public String token(String agentId, String taskId, String phase, long generation) {
        return sign(signingKey, signingKey.getKeyID(), PhaseTokens.TYPE, claims(agentId, taskId, phase, generation,
                Instant.now().truncatedTo(ChronoUnit.SECONDS)));
    }

    public static JWTClaimsSet claims(String agentId, String taskId, String phase, long generation, Instant issuedAt) {
        return new JWTClaimsSet.Builder()
                .issuer(PhaseTokens.DEFAULT_ISSUER)
                .audience(PhaseTokens.DEFAULT_AUDIENCE)
                .subject(agentId)
                .claim(PhaseTokens.TASK_ID_CLAIM, taskId)
                .claim(PhaseTokens.PHASE_CLAIM, phase)
                .claim(PhaseTokens.GENERATION_CLAIM, generation)
                .jwtID(UUID.randomUUID().toString())
                .issueTime(Date.from(issuedAt))
                .notBeforeTime(Date.from(issuedAt))
                .expirationTime(Date.from(issuedAt.plus(Duration.ofHours(2))))
                .build();
    }

    /** Signs {@code claims} with {@code key} (ES256), naming {@code kid} and {@code typ} in the header. */
    public static String sign(ECKey key, String kid, JOSEObjectType typ, JWTClaimsSet claims) {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).type(typ).keyID(kid).build(), claims);
        try {
            jwt.sign(new ECDSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    public static ECKey ecKey(Curve curve, String kid) {
        try {
            return new ECKeyGenerator(curve).keyUse(KeyUse.SIGNATURE).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static RSAKey rsaKey(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (this != shared) {
            server.stop(0);
        }
    }
}
