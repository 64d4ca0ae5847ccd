package io.phasegate.command.task;

import static io.phasegate.command.Rejections.rejection;
import static io.phasegate.command.task.TaskTest.workflow;
import static org.assertj.core.api.Assertions.assertThat;

import io.phasegate.command.token.PhaseTokenIssuer;
import io.phasegate.command.token.PhaseTokenKeys;
import io.phasegate.events.task.ClaimTaskCommand;
import io.phasegate.events.task.PhaseTokenGrant;
import io.phasegate.events.task.ReleaseTaskCommand;
import io.phasegate.events.task.RenewTaskLeaseCommand;
import io.phasegate.events.task.TaskClaimExpiredEvent;
import io.phasegate.events.task.TaskClaimedEvent;
import io.phasegate.events.task.TaskCreatedEvent;
import io.phasegate.events.task.TaskLeaseRenewedEvent;
import io.phasegate.events.task.TaskReleasedEvent;
import io.phasegate.platform.phasetoken.PhaseTokenVerifier;
import io.phasegate.platform.phasetoken.VerifiedPhaseToken;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.hamcrest.Description;
import org.hamcrest.Matcher;
import org.hamcrest.TypeSafeMatcher;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Claims, leases, heartbeats, releases and lease expiry of the Task aggregate (SPEC §2.2, §2.3). */
class TaskClaimTest {

    private static final String ORG = "org-acme";
    private static final String TASK = "task-1";
    private static final String AGENT = "agent-7";
    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    /** claim_lease_seconds 600, token_ttl_seconds 3600 (see TaskTest.workflow). */
    private static final Duration LEASE = Duration.ofSeconds(600);
    private static final Duration TTL = Duration.ofSeconds(3600);

    private AggregateTestFixture<Task> fixture;
    private PhaseTokenKeys keys;

    /** The fixture moves GenericEventMessage.clock; the token issuer and verifier read the same clock. */
    private static final Clock FIXTURE_CLOCK = TaskTestSupport.FIXTURE_CLOCK;

    @BeforeEach
    void setUp() {
        keys = PhaseTokenKeys.inMemory(FIXTURE_CLOCK);
        fixture = new AggregateTestFixture<>(Task.class);
        fixture.registerInjectableResource(new InMemoryWorkflowCatalog()
                .publish(ORG, workflow("tdd-default", 1, "PLAN", "TDD", "COMPLETE")));
        fixture.registerInjectableResource(new InMemoryTaskDirectory());
        fixture.registerInjectableResource(new PhaseTokenIssuer(keys, "test-issuer", "test-agents", FIXTURE_CLOCK));
    }

    @Test
    void theFirstClaimWinsAPhaseTokenAndSchedulesTheLeaseExpiry() {
        AtomicReference<PhaseTokenGrant> returned = new AtomicReference<>();
        fixture.givenCurrentTime(NOW)
                .andGiven(created(List.of(), List.of("java")))
                .when(claim(AGENT, List.of("java", "docker"), List.of()))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(singleClaim(AGENT, 1, NOW.plus(TTL), NOW.plus(LEASE)))
                .expectScheduledDeadlineWithName(LEASE, Task.LEASE_DEADLINE)
                .expectResultMessagePayloadMatching(capture(returned));
        PhaseTokenGrant grant = returned.get();
        assertThat(grant).isNotNull();
        assertThat(grant.generation()).isEqualTo(1);
        assertThat(grant.leaseExpiresAt()).isEqualTo(NOW.plus(LEASE));
        assertThat(grant.expiresAt()).isEqualTo(NOW.plus(TTL));
        VerifiedPhaseToken token = new PhaseTokenVerifier(keys, "test-issuer", "test-agents",
                Clock.fixed(NOW, ZoneId.of("UTC"))).verify(grant.token());
        assertThat(token.agentId()).isEqualTo(AGENT);
        assertThat(token.taskId()).isEqualTo(TASK);
        assertThat(token.phase()).isEqualTo("PLAN");
        assertThat(token.generation()).isEqualTo(1);
        assertThat(grant.toString()).doesNotContain(grant.token());
    }

    @Test
    void aClaimedTaskCannotBeClaimedAgain() {
        fixture.givenCurrentTime(NOW)
                .andGiven(created(List.of(), List.of()), claimed(AGENT, 1))
                .when(claim("agent-other", List.of(), List.of()))
                .expectNoEvents()
                .expectException(CommandExecutionException.class)
                .expectExceptionDetails(rejection("task_not_claimable", 409, Map.of()));
    }

    @Test
    void anAgentWithoutTheRequiredCapabilitiesCannotClaim() {
        fixture.givenCurrentTime(NOW)
                .andGiven(created(List.of(), List.of("java", "postgres")))
                .when(claim(AGENT, List.of("java"), List.of()))
                .expectNoEvents()
                .expectExceptionDetails(rejection("missing_capabilities", 409,
                        Map.of("missing_capabilities", List.of("postgres"))));
    }

    @Test
    void aTaskWithIncompleteDependenciesCannotBeClaimed() {
        fixture.givenCurrentTime(NOW)
                .andGiven(created(List.of("dep-1", "dep-2"), List.of()))
                .when(claim(AGENT, List.of(), List.of("dep-1")))
                .expectNoEvents()
                .expectExceptionDetails(rejection("dependencies_incomplete", 409,
                        Map.of("incomplete_dependencies", List.of("dep-2"))));
    }

    @Test
    void anotherOrganisationDoesNotFindTheTask() {
        fixture.givenCurrentTime(NOW)
                .andGiven(created(List.of(), List.of()))
                .when(new ClaimTaskCommand(TASK, "org-other", AGENT, List.of(), List.of()))
                .expectNoEvents()
                .expectExceptionDetails(rejection("task_not_found", 404, Map.of()));
    }

    @Test
    void theClaimantRenewsItsLease() {
        Instant later = NOW.plusSeconds(300);
        fixture.givenCurrentTime(NOW)
                .andGiven(created(List.of(), List.of()), claimed(AGENT, 1))
                .andGivenCurrentTime(later)
                .when(new RenewTaskLeaseCommand(TASK, AGENT, 1))
                .expectSuccessfulHandlerExecution()
                .expectEvents(new TaskLeaseRenewedEvent(TASK, ORG, AGENT, later.plus(LEASE), later))
                .expectResultMessagePayload(later.plus(LEASE))
                .expectScheduledDeadlineWithName(LEASE, Task.LEASE_DEADLINE);
    }

    @Test
    void aSupersededTokenOrAnotherAgentCannotRenewOrRelease() {
        fixture.givenCurrentTime(NOW)
                .andGiven(created(List.of(), List.of()), claimed(AGENT, 2))
                .when(new RenewTaskLeaseCommand(TASK, AGENT, 1))
                .expectNoEvents()
                .expectExceptionDetails(rejection("token_superseded", 401, Map.of()));
        fixture.givenCurrentTime(NOW)
                .andGiven(created(List.of(), List.of()), claimed(AGENT, 2))
                .when(new ReleaseTaskCommand(TASK, "agent-other", 2))
                .expectNoEvents()
                .expectExceptionDetails(rejection("not_claimant", 401, Map.of()));
    }

    @Test
    void aReleasedTaskIsClaimableAgainWithTheNextGeneration() {
        fixture.givenCurrentTime(NOW)
                .andGiven(created(List.of(), List.of()), claimed(AGENT, 1))
                .when(new ReleaseTaskCommand(TASK, AGENT, 1))
                .expectSuccessfulHandlerExecution()
                .expectEvents(new TaskReleasedEvent(TASK, ORG, AGENT, NOW));

        fixture.givenCurrentTime(NOW)
                .andGiven(created(List.of(), List.of()), claimed(AGENT, 1), new TaskReleasedEvent(TASK, ORG, AGENT, NOW))
                .when(claim("agent-other", List.of(), List.of()))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(singleClaim("agent-other", 2, NOW.plus(TTL), NOW.plus(LEASE)));
    }

    @Test
    void aLeaseThatRunsOutReturnsTheTaskToThePool() {
        fixture.givenCurrentTime(NOW)
                .andGiven(created(List.of(), List.of()))
                .andGivenCommands(claim(AGENT, List.of(), List.of()))
                .whenTimeElapses(LEASE.plusSeconds(1))
                .expectDeadlinesMet(new Task.LeaseDeadline(1, NOW.plus(LEASE)))
                .expectEventsMatching(singleExpiry());
    }

    @Test
    void aRenewalReplacesTheLeaseDeadline() {
        // both at NOW: the renewal cancels the claim's deadline and schedules its own, so exactly one fires
        fixture.givenCurrentTime(NOW)
                .andGiven(created(List.of(), List.of()))
                .andGivenCommands(claim(AGENT, List.of(), List.of()), new RenewTaskLeaseCommand(TASK, AGENT, 1))
                .whenTimeElapses(LEASE.plusSeconds(1))
                .expectDeadlinesMet(new Task.LeaseDeadline(1, NOW.plus(LEASE)))
                .expectEventsMatching(singleExpiry());
    }

    @Test
    void aReleaseCancelsTheLeaseDeadline() {
        fixture.givenCurrentTime(NOW)
                .andGiven(created(List.of(), List.of()))
                .andGivenCommands(claim(AGENT, List.of(), List.of()), new ReleaseTaskCommand(TASK, AGENT, 1))
                .whenTimeElapses(LEASE.plusSeconds(1))
                .expectNoEvents();
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    private static TaskCreatedEvent created(List<String> dependsOn, List<String> capabilities) {
        return new TaskCreatedEvent(TASK, ORG, "default", "A task", null, "tdd-default", 1, "PLAN", dependsOn,
                capabilities, 0, "alice", NOW);
    }

    private static TaskClaimedEvent claimed(String agent, long generation) {
        return new TaskClaimedEvent(TASK, ORG, agent, "PLAN", generation, "jti-" + generation, NOW.plus(TTL),
                NOW.plus(LEASE), NOW);
    }

    private static ClaimTaskCommand claim(String agent, List<String> capabilities, List<String> completed) {
        return new ClaimTaskCommand(TASK, ORG, agent, capabilities, completed);
    }

    private static Matcher<List<EventMessage<?>>> singleExpiry() {
        return new TypeSafeMatcher<>() {
            @Override
            protected boolean matchesSafely(List<EventMessage<?>> events) {
                return events.size() == 1 && events.get(0).getPayload() instanceof TaskClaimExpiredEvent e
                        && e.taskId().equals(TASK) && e.orgId().equals(ORG) && e.agentId().equals(AGENT)
                        && e.leaseExpiredAt().equals(NOW.plus(LEASE)) && !e.expiredAt().isBefore(e.leaseExpiredAt());
            }

            @Override
            public void describeTo(Description description) {
                description.appendText("one TaskClaimExpiredEvent of the lease ending ").appendValue(NOW.plus(LEASE));
            }
        };
    }

    private static Matcher<Object> capture(AtomicReference<PhaseTokenGrant> into) {
        return new TypeSafeMatcher<>() {
            @Override
            protected boolean matchesSafely(Object payload) {
                if (payload instanceof PhaseTokenGrant grant) {
                    into.set(grant);
                    return true;
                }
                return false;
            }

            @Override
            public void describeTo(Description description) {
                description.appendText("a PhaseTokenGrant");
            }
        };
    }

    /** Exactly one TaskClaimedEvent with these values (its token id is random). */
    private static Matcher<List<EventMessage<?>>> singleClaim(String agent, long generation, Instant tokenExpiry,
                                                              Instant leaseExpiry) {
        return new TypeSafeMatcher<>() {
            @Override
            protected boolean matchesSafely(List<EventMessage<?>> events) {
                return events.size() == 1 && events.get(0).getPayload() instanceof TaskClaimedEvent e
                        && e.taskId().equals(TASK) && e.orgId().equals(ORG) && e.agentId().equals(agent)
                        && e.phase().equals("PLAN") && e.tokenGeneration() == generation
                        && e.tokenId() != null && !e.tokenId().isBlank() && e.tokenExpiresAt().equals(tokenExpiry)
                        && e.leaseExpiresAt().equals(leaseExpiry) && e.claimedAt().equals(NOW);
            }

            @Override
            public void describeTo(Description description) {
                description.appendText("one TaskClaimedEvent of ").appendValue(agent).appendText(" generation ")
                        .appendValue(generation);
            }
        };
    }
}
