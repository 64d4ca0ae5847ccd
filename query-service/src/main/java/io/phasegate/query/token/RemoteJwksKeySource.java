package io.phasegate.query.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import io.phasegate.platform.phasetoken.PhaseTokenKeySource;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The phase-token public keys of command-service, fetched from its JWK set ({@code /.well-known/jwks.json}).
 *
 * <ul>
 *   <li>Keys are cached. A {@code kid} that is not cached, or a cache older than {@code maxAge}, triggers a refresh,
 *   but at most one fetch per {@code minRefreshInterval} (30 s by default) happens, whatever the outcome: a flood of
 *   tokens with random key ids costs one fetch per interval, not one per token. Until some keys were loaded, the
 *   interval is at most {@link #EMPTY_RETRY_INTERVAL}, so a start before command-service recovers quickly.</li>
 *   <li>The URL is fixed by configuration; the {@code kid} is only ever looked up in the cached map.</li>
 *   <li>Only EC P-256 public keys with a {@code kid} (and {@code use} {@code sig} and {@code alg} {@code ES256} when
 *   given) are taken; anything else in the set is ignored. Private members, should the set carry them, are dropped.</li>
 *   <li>Short connect and request time-outs, no redirects, bodies above {@link #MAX_BODY_BYTES} are refused; a failed
 *   fetch keeps the keys loaded before.</li>
 * </ul>
 * {@link #verifier(String)} may block on a fetch (bounded by the time-outs): call it off the event loop.
 */
public final class RemoteJwksKeySource implements PhaseTokenKeySource {

    private static final Logger log = LoggerFactory.getLogger(RemoteJwksKeySource.class);

    public static final Duration EMPTY_RETRY_INTERVAL = Duration.ofSeconds(2);
    static final int MAX_BODY_BYTES = 64 * 1024;
    static final int MAX_KID_LENGTH = 256;

    private record Keys(Map<String, JWSVerifier> byKid, Instant loadedAt) {
    }

    private final URI uri;
    private final Duration minRefreshInterval;
    private final Duration maxAge;
    private final Duration timeout;
    private final Clock clock;
    private final HttpClient http;
    private final ReentrantLock fetching = new ReentrantLock();
    private final AtomicLong fetches = new AtomicLong();

    private volatile Keys keys = new Keys(Map.of(), null);
    /** When the last fetch was started (successful or not), or null before the first. Guarded by {@link #fetching}. */
    private Instant lastAttempt;

    public RemoteJwksKeySource(URI uri, Duration minRefreshInterval, Duration maxAge, Duration timeout, Clock clock) {
        this.uri = Objects.requireNonNull(uri, "uri");
        if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("The JWK set URI must be an http(s) URL: " + uri);
        }
        this.minRefreshInterval = Objects.requireNonNull(minRefreshInterval, "minRefreshInterval");
        this.maxAge = Objects.requireNonNull(maxAge, "maxAge");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.http = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public Optional<JWSVerifier> verifier(String kid) {
        if (kid == null || kid.isEmpty() || kid.length() > MAX_KID_LENGTH) {
            return Optional.empty();
        }
        Keys current = keys;
        JWSVerifier verifier = current.byKid().get(kid);
        if (verifier != null && !stale(current)) {
            return Optional.of(verifier);
        }
        refreshIfAllowed();
        return Optional.ofNullable(keys.byKid().get(kid));
    }

    /** How many fetches were started so far (for metrics and tests). */
    public long fetchCount() {
        return fetches.get();
    }

    /** The key ids currently cached. */
    public java.util.Set<String> kids() {
        return keys.byKid().keySet();
    }

    private boolean stale(Keys current) {
        return current.loadedAt() == null || !clock.instant().isBefore(current.loadedAt().plus(maxAge));
    }

    private void refreshIfAllowed() {
        fetching.lock();
        try {
            Instant now = clock.instant();
            Duration interval = keys.byKid().isEmpty() && EMPTY_RETRY_INTERVAL.compareTo(minRefreshInterval) < 0
                    ? EMPTY_RETRY_INTERVAL : minRefreshInterval;
            if (lastAttempt != null && now.isBefore(lastAttempt.plus(interval))) {
                return; // rate-limited: answer from the cache
            }
            lastAttempt = now;
            fetches.incrementAndGet();
            try {
                Map<String, JWSVerifier> loaded = fetch();
                keys = new Keys(loaded, clock.instant());
            } catch (IOException | ParseException | RuntimeException e) {
                log.warn("Cannot load the phase-token JWK set from {}: {}", uri, e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } finally {
            fetching.unlock();
        }
    }

    private Map<String, JWSVerifier> fetch() throws IOException, InterruptedException, ParseException {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Accept", "application/jwk-set+json, application/json")
                .GET()
                .build();
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            if (response.statusCode() != 200) {
                throw new IOException("HTTP status " + response.statusCode());
            }
            byte[] bytes = body.readNBytes(MAX_BODY_BYTES + 1);
            if (bytes.length > MAX_BODY_BYTES) {
                throw new IOException("the JWK set is larger than " + MAX_BODY_BYTES + " bytes");
            }
            return verifiers(JWKSet.parse(new String(bytes, StandardCharsets.UTF_8)));
        }
    }

    static Map<String, JWSVerifier> verifiers(JWKSet set) {
        Map<String, JWSVerifier> byKid = new LinkedHashMap<>();
        for (JWK jwk : set.getKeys()) {
            if (!(jwk instanceof ECKey ec) || !Curve.P_256.equals(ec.getCurve())) {
                continue;
            }
            String kid = ec.getKeyID();
            if (kid == null || kid.isEmpty() || kid.length() > MAX_KID_LENGTH || byKid.containsKey(kid)) {
                continue;
            }
            if ((ec.getKeyUse() != null && !KeyUse.SIGNATURE.equals(ec.getKeyUse()))
                    || (ec.getAlgorithm() != null && !JWSAlgorithm.ES256.equals(ec.getAlgorithm()))) {
                continue;
            }
            try {
                byKid.put(kid, new ECDSAVerifier(ec.toPublicJWK().toECPublicKey()));
            } catch (JOSEException e) {
                log.warn("Ignoring unusable key {} of the phase-token JWK set", kid);
            }
        }
        return Map.copyOf(byKid);
    }
}
