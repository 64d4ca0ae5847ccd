package io.phasegate.command.dock;

import static org.assertj.core.api.Assertions.assertThat;

import io.phasegate.command.adapter.DockAdapters;
import io.phasegate.command.adapter.DockConnection;
import io.phasegate.command.adapter.DockConnections.DockUnavailableException;
import io.phasegate.events.dock.CompleteCredentialRotationCommand;
import io.phasegate.events.dock.CredentialRetiredEvent;
import io.phasegate.events.dock.CredentialRotatedEvent;
import io.phasegate.events.dock.CredentialRotationFailedEvent;
import io.phasegate.events.dock.CredentialRotationStartedEvent;
import io.phasegate.events.dock.DockDeletedEvent;
import io.phasegate.events.dock.EncryptedCredential;
import io.phasegate.events.dock.FailCredentialRotationCommand;
import io.phasegate.events.dock.RetireCredentialCommand;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.test.saga.SagaTestFixture;
import org.hamcrest.Description;
import org.hamcrest.Matcher;
import org.hamcrest.TypeSafeMatcher;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The credential rotation process with Axon's saga fixture: validation, completion, failure, time-out, retirement. */
class CredentialRotationSagaTest {

    static final String ORG = "acme";
    static final String DOCK = "dock-1";
    static final String ROTATION = "rot-1";
    static final Duration GRACE = Duration.ofMinutes(15);

    SagaTestFixture<CredentialRotationSaga> fixture;
    TestDockAdapter adapter;
    TestCredentialAccess access;

    /** Hands out the candidate credentials it was given (as the real service would after recording the use). */
    static class TestCredentialAccess implements DockCredentialAccess {
        final List<String> opened = new CopyOnWriteArrayList<>();
        volatile Map<String, String> credentials = Map.of("api_key", "good-" + UUID.randomUUID());
        volatile boolean gone;

        @Override
        public DockConnection openVersion(String orgId, String dockId, int version, String actor, String purpose,
                                          String operationId) {
            opened.add(orgId + "/" + dockId + "/v" + version + "/" + actor + "/" + purpose + "/" + operationId);
            if (gone) {
                throw new DockUnavailableException("Dock " + dockId + " was deleted");
            }
            return new DockConnection(dockId, orgId, TestDockAdapter.PROVIDER, Map.of(), version, credentials);
        }
    }

    @BeforeEach
    void setUp() {
        adapter = new TestDockAdapter();
        access = new TestCredentialAccess();
        fixture = new SagaTestFixture<>(CredentialRotationSaga.class);
        fixture.registerResource(access);
        fixture.registerResource(new CredentialValidation(new DockAdapters(List.of(adapter)), Duration.ofMillis(300)));
    }

    @Test
    void validCandidateCredentialsCompleteTheRotation() {
        fixture.givenNoPriorActivity()
                .whenPublishingA(started())
                .expectActiveSagas(1)
                .expectAssociationWith("rotationId", ROTATION)
                .expectAssociationWith("dockId", DOCK)
                .expectDispatchedCommands(new CompleteCredentialRotationCommand(DOCK, ORG, ROTATION));
        // the candidate was opened through the recorded path, for validation within this rotation
        assertThat(access.opened).containsExactly(ORG + "/" + DOCK + "/v2/credential-rotation/validate/" + ROTATION);
        assertThat(adapter.validated).extracting(DockConnection::credentialVersion).containsExactly(2);
    }

    @Test
    void rejectedCredentialsFailTheRotationWithAReasonWithoutTheirValues() {
        String secret = "bad-" + UUID.randomUUID();
        access.credentials = Map.of("api_key", secret);
        fixture.givenNoPriorActivity()
                .whenPublishingA(started())
                .expectActiveSagas(1)
                .expectDispatchedCommandsMatching(single(FailCredentialRotationCommand.class,
                        c -> c.rotationId().equals(ROTATION) && c.reason().contains("invalid_credentials")
                                && c.reason().contains("[redacted]") && !c.reason().contains(secret)));
        // the failure event ends the process: the old credentials stay current, nothing to retire
        setUp();
        fixture.givenAPublished(started())
                .whenPublishingA(new CredentialRotationFailedEvent(DOCK, ORG, ROTATION, 2, 1, "rejected",
                        Instant.now()))
                .expectActiveSagas(0)
                .expectNoScheduledDeadlines();
    }

    @Test
    void aValidationThatTimesOutFailsTheRotation() {
        access.credentials = Map.of("api_key", "slow-" + UUID.randomUUID());
        fixture.givenNoPriorActivity()
                .whenPublishingA(started())
                .expectDispatchedCommandsMatching(single(FailCredentialRotationCommand.class,
                        c -> c.reason().contains("timeout") && !c.reason().contains("slow-")));
    }

    @Test
    void aDockDeletedBeforeValidationEndsTheProcessWithoutCommands() {
        access.gone = true;
        fixture.givenNoPriorActivity()
                .whenPublishingA(started())
                .expectActiveSagas(0)
                .expectNoDispatchedCommands();
    }

    @Test
    void afterTheSwitchADeadlineRetiresThePreviousVersionWhenTheGracePeriodEnds() {
        Instant validUntil = fixture.currentTime().plus(GRACE).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        fixture.givenAPublished(started())
                .whenPublishingA(rotated(validUntil))
                .expectActiveSagas(1)
                .expectScheduledDeadlineWithName(validUntil, CredentialRotationSaga.RETIRE_DEADLINE)
                .expectNoDispatchedCommands();

        // not before the grace period ends ...
        setUp();
        fixture.givenAPublished(started()).andThenAPublished(rotated(fixture.currentTime().plus(GRACE)))
                .whenTimeElapses(GRACE.minusSeconds(1))
                .expectNoDispatchedCommands()
                .expectActiveSagas(1);
        // ... then the previous version is retired
        setUp();
        fixture.givenAPublished(started()).andThenAPublished(rotated(fixture.currentTime().plus(GRACE)))
                .whenTimeElapses(GRACE.plusSeconds(1))
                .expectTriggeredDeadlinesWithName(CredentialRotationSaga.RETIRE_DEADLINE)
                .expectDispatchedCommands(new RetireCredentialCommand(DOCK, ORG, 1));
    }

    @Test
    void theRetirementOfThePreviousVersionEndsTheProcess() {
        Instant validUntil = fixture.currentTime().plus(GRACE);
        fixture.givenAPublished(started()).andThenAPublished(rotated(validUntil))
                .whenPublishingA(new CredentialRetiredEvent(DOCK, ORG, 1, validUntil))
                .expectActiveSagas(0)
                .expectNoScheduledDeadlines();
        // another version's retirement does not end it
        setUp();
        fixture.givenAPublished(started()).andThenAPublished(rotated(validUntil))
                .whenPublishingA(new CredentialRetiredEvent(DOCK, ORG, 7, validUntil))
                .expectActiveSagas(1);
    }

    @Test
    void deletingTheDockEndsTheProcessAndCancelsTheDeadline() {
        Instant validUntil = fixture.currentTime().plus(GRACE);
        fixture.givenAPublished(started()).andThenAPublished(rotated(validUntil))
                .whenPublishingA(new DockDeletedEvent(DOCK, ORG, "dk-1", "alice", Instant.now()))
                .expectActiveSagas(0)
                .expectNoScheduledDeadlines();
    }

    // ------------------------------------------------------------------------------------------------------------

    static CredentialRotationStartedEvent started() {
        return new CredentialRotationStartedEvent(DOCK, ORG, ROTATION,
                new EncryptedCredential(2, "dk-1", "AES-256-GCM", "bm9uY2U=", "Y2lwaGVy"), 1, GRACE, "alice",
                Instant.now());
    }

    static CredentialRotatedEvent rotated(Instant validUntil) {
        return new CredentialRotatedEvent(DOCK, ORG, ROTATION, 2, 1, validUntil, validUntil.minus(GRACE));
    }

    static <T> Matcher<List<? super CommandMessage<?>>> single(Class<T> type, java.util.function.Predicate<T> test) {
        return new TypeSafeMatcher<>() {
            @Override
            protected boolean matchesSafely(List<? super CommandMessage<?>> commands) {
                return commands.size() == 1 && commands.get(0) instanceof CommandMessage<?> message
                        && type.isInstance(message.getPayload()) && test.test(type.cast(message.getPayload()));
            }

            @Override
            public void describeTo(Description description) {
                description.appendText("one matching " + type.getSimpleName());
            }
        };
    }
}
