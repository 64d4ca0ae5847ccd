package io.phasegate.platform.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.phasegate.events.org.AccessLevel;
import io.phasegate.events.org.RolePermissions;
import io.phasegate.platform.identity.OrganisationAccess.Membership;
import io.phasegate.platform.identity.Permission.Area;
import io.phasegate.platform.identity.Permission.Level;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;

/** Role resolution: membership wins in registered organisations, token roles apply elsewhere. */
class MembershipResolverTest {

    private static final RolePermissions PUBLISHER = new RolePermissions(AccessLevel.NONE, AccessLevel.FULL,
            AccessLevel.NONE, false);

    /** An organisation registry held in memory: org -> (subject -> membership). */
    private final Map<String, Map<String, Membership>> orgs = new ConcurrentHashMap<>();
    private final AtomicInteger lookups = new AtomicInteger();
    private final List<String> lookupThreads = new CopyOnWriteArrayList<>();
    private final OrganisationAccess access = (org, subject) -> {
        lookups.incrementAndGet();
        lookupThreads.add(Thread.currentThread().getName());
        Map<String, Membership> members = orgs.get(org);
        return members == null ? Optional.empty() : Optional.of(members.getOrDefault(subject, Membership.NONE));
    };

    private MembershipResolver resolver(Duration ttl) {
        return new MembershipResolver(() -> access, Schedulers.newBoundedElastic(2, 100, "test-blocking"), ttl);
    }

    @Test
    void theThreeArgumentConstructorMeansTokenRolesThroughTheDefaultMatrix() {
        CallerIdentity developer = new CallerIdentity("ada", "acme", Set.of("developer"));
        assertThat(developer.permissions()).isEqualTo(EffectivePermissions.ofDefaultRoles(Set.of("developer")));
        for (Area area : Area.values()) {
            for (Level level : Level.values()) {
                assertThat(developer.can(area, level)).isEqualTo(Permission.allows(Set.of("developer"), area, level));
            }
        }
        assertThat(CallerIdentity.phaseTokenBearer().isPhaseTokenBearer()).isTrue();
        assertThat(CallerIdentity.phaseTokenBearer().can(Area.TASKS, Level.READ)).isFalse();
    }

    @Test
    void roleDefinitionsAreUnitedPerArea() {
        EffectivePermissions permissions = EffectivePermissions.ofRoles(List.of(PUBLISHER, RolePermissions.AUDITOR));
        assertThat(permissions.level(Area.TASKS)).isEqualTo(Level.FULL);
        assertThat(permissions.level(Area.PROVISIONING)).isEqualTo(Level.READ);
        assertThat(permissions.level(Area.AUDIT)).isEqualTo(Level.READ);
        assertThat(permissions.level(Area.ORG_ADMIN)).isEqualTo(Level.NONE);
        assertThat(EffectivePermissions.ofRoles(List.of(RolePermissions.ADMIN)))
                .isEqualTo(EffectivePermissions.ofDefaultRoles(Set.of("admin")));
        assertThat(EffectivePermissions.ofRoles(List.of())).isEqualTo(EffectivePermissions.NONE);
    }

    @Test
    void aMemberGetsItsOrganisationsRolesOffTheEventLoop() {
        orgs.put("acme", Map.of("carol", new Membership(Set.of("publisher"),
                EffectivePermissions.ofRoles(List.of(PUBLISHER)))));
        CallerIdentity carol = resolver(Duration.ZERO)
                .resolve(new CallerIdentity("carol", "acme", Set.of("viewer"))).block();
        assertThat(carol.roles()).containsExactly("publisher");
        assertThat(carol.can(Area.TASKS, Level.FULL)).isTrue();
        assertThat(carol.can(Area.PROVISIONING, Level.READ)).isFalse();
        assertThat(lookupThreads).allMatch(name -> name.startsWith("test-blocking"));
    }

    @Test
    void aNonMemberOfARegisteredOrganisationHasNothing() {
        orgs.put("acme", Map.of());
        CallerIdentity mallory = resolver(Duration.ZERO)
                .resolve(new CallerIdentity("mallory", "acme", Set.of("admin"))).block();
        assertThat(mallory.roles()).isEmpty();
        for (Area area : Area.values()) {
            assertThat(mallory.can(area, Level.READ)).as(area.name()).isFalse();
        }
    }

    @Test
    void anUnregisteredOrganisationKeepsTokenRolesAndThePhaseTokenBearerIsNotLookedUp() {
        CallerIdentity dev = new CallerIdentity("dev", "demo", Set.of("developer"));
        assertThat(resolver(Duration.ZERO).resolve(dev).block()).isEqualTo(dev);
        lookups.set(0);
        assertThat(resolver(Duration.ZERO).resolve(CallerIdentity.phaseTokenBearer()).block())
                .isEqualTo(CallerIdentity.phaseTokenBearer());
        assertThat(lookups).hasValue(0);
        assertThat(MembershipResolver.tokenRolesOnly().resolve(dev).block()).isEqualTo(dev);
    }

    @Test
    void answersAreCachedBrieflyAndInvalidatedPerOrganisation() throws InterruptedException {
        orgs.put("acme", new ConcurrentHashMap<>(Map.of("bob", new Membership(Set.of("viewer"),
                EffectivePermissions.ofDefaultRoles(Set.of("viewer"))))));
        MembershipResolver resolver = resolver(Duration.ofMillis(300));
        CallerIdentity bob = new CallerIdentity("bob", "acme", Set.of());
        assertThat(resolver.resolve(bob).block().can(Area.TASKS, Level.READ)).isTrue();
        assertThat(resolver.resolve(bob).block().can(Area.TASKS, Level.READ)).isTrue();
        assertThat(lookups).hasValue(1);

        orgs.get("acme").remove("bob");
        resolver.invalidate("acme");
        assertThat(resolver.resolve(bob).block().can(Area.TASKS, Level.READ)).isFalse();
        assertThat(lookups).hasValue(2);

        orgs.get("acme").put("bob", new Membership(Set.of("viewer"), EffectivePermissions.ofDefaultRoles(Set.of("viewer"))));
        Thread.sleep(400);
        assertThat(resolver.resolve(bob).block().can(Area.TASKS, Level.READ)).as("after the TTL").isTrue();
    }
}
