package io.phasegate.platform.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Remembers tokens whose signature and claims were verified, so that a token presented again (an agent calls many
 * tools with one phase token; the gateway reuses an internal token for a while) costs a map look-up instead of an
 * ECDSA verification. The key is the exact token text: any changed byte is a miss and gets the full check. A hit
 * is honoured only before the token's {@code exp} (no skew) and only while its signing key is still trusted, so
 * expiry and key retirement behave exactly as without the cache. Bounded; thread-safe.
 *
 * @param <T> what verification produced (the verified claims)
 */
public final class VerifiedTokenCache<T> {

    /** A verification result with what a hit must re-check. */
    private record Entry<T>(T value, String kid, Instant expiresAt) {
    }

    private final Cache<String, Entry<T>> entries;
    private final Clock clock;

    public VerifiedTokenCache(long maximumSize, Clock clock) {
        this.entries = Caffeine.newBuilder().maximumSize(maximumSize).build();
        this.clock = clock;
    }

    /** The remembered result for exactly this token, if it has not expired and {@code keyTrusted} still holds for its key. */
    public Optional<T> get(String token, Predicate<String> keyTrusted) {
        Entry<T> entry = entries.getIfPresent(token);
        if (entry == null) {
            return Optional.empty();
        }
        if (!clock.instant().isBefore(entry.expiresAt()) || !keyTrusted.test(entry.kid())) {
            entries.invalidate(token);
            return Optional.empty();
        }
        return Optional.of(entry.value());
    }

    /** Remembers a token that was just verified in full. */
    public void put(String token, T value, String kid, Instant expiresAt) {
        entries.put(token, new Entry<>(value, kid, expiresAt));
    }
}
