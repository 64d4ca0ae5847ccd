package io.phasegate.platform.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.phasegate.platform.identity.OrganisationAccess.Membership;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Applies an organisation's own membership to a caller (ADR 0008): when the caller's organisation is registered, the
 * caller's roles and permissions are its member roles through the organisation's role definitions, and a subject
 * that is not (or no longer) a member has none; when it is not registered, the token's roles keep applying through
 * the default matrix.
 *
 * <p>The lookup ({@link OrganisationAccess}) runs on the bounded blocking scheduler. Answers are cached per
 * organisation and subject for a short time only ({@code phasegate.security.membership-cache-ms}, default 500 ms),
 * so a change of membership takes effect on every instance within that time plus the service's own lag; the
 * service's storage stays the truth. {@link #invalidate} drops an organisation's answers at once.
 */
public final class MembershipResolver {

    /** Answers kept at most; beyond, the least recently used are dropped. */
    private static final long MAX_ENTRIES = 10_000;

    private final Supplier<OrganisationAccess> accessSupplier;
    private final Scheduler blocking;
    private final Cache<Key, Optional<Membership>> cache;
    private volatile OrganisationAccess access;

    /**
     * @param access   the service's lookup, asked lazily at the first request; supplying {@code null} means "no
     *                 organisations": every caller keeps its token's roles
     * @param blocking where the (blocking) lookups run
     * @param ttl      how long an answer is reused; zero disables the cache
     */
    public MembershipResolver(Supplier<OrganisationAccess> access, Scheduler blocking, Duration ttl) {
        this.accessSupplier = access;
        this.blocking = blocking;
        this.cache = Caffeine.newBuilder().maximumSize(MAX_ENTRIES).expireAfterWrite(ttl).build();
    }

    /** A resolver without organisations: callers keep their token's roles. */
    public static MembershipResolver tokenRolesOnly() {
        return new MembershipResolver(() -> null, null, Duration.ZERO);
    }

    /** The caller with the roles and permissions its organisation gives it. */
    public Mono<CallerIdentity> resolve(CallerIdentity caller) {
        OrganisationAccess lookup = access();
        if (lookup == null || caller.isPhaseTokenBearer() || CallerIdentity.NO_ORGANISATION.equals(caller.orgId())) {
            return Mono.just(caller);
        }
        Key key = new Key(caller.orgId(), caller.subject());
        Optional<Membership> cached = cache.getIfPresent(key);
        Mono<Optional<Membership>> membership = cached != null ? Mono.just(cached)
                : Mono.fromCallable(() -> lookup.membership(key.orgId(), key.subject()))
                        .subscribeOn(blocking)
                        .doOnNext(found -> cache.put(key, found));
        return membership.map(found -> found
                .map(member -> caller.withMembership(member.roles(), member.permissions()))
                .orElse(caller));
    }

    /** Forgets the cached answers for the organisation (e.g. after its membership changed on this instance). */
    public void invalidate(String orgId) {
        cache.asMap().keySet().removeIf(key -> key.orgId().equals(orgId));
    }

    private OrganisationAccess access() {
        OrganisationAccess current = access;
        if (current == null) {
            current = accessSupplier.get();
            access = current;
        }
        return current;
    }

    private record Key(String orgId, String subject) {
    }
}
