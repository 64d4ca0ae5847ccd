package io.phasegate.command.dock;

import static io.phasegate.command.Rejections.rejection;
import static org.assertj.core.api.Assertions.assertThat;

import io.phasegate.command.adapter.DockAdapters;
import io.phasegate.command.crypto.EnvelopeEncryption;
import io.phasegate.command.crypto.InMemoryDataKeyStore;
import io.phasegate.command.crypto.MasterKeys;
import io.phasegate.events.dock.CompleteCredentialRotationCommand;
import io.phasegate.events.dock.CredentialRetiredEvent;
import io.phasegate.events.dock.CredentialRotatedEvent;
import io.phasegate.events.dock.CredentialRotationFailedEvent;
import io.phasegate.events.dock.CredentialRotationStartedEvent;
import io.phasegate.events.dock.DeleteDockCommand;
import io.phasegate.events.dock.DockCredentialDecryptedEvent;
import io.phasegate.events.dock.DockCredentials;
import io.phasegate.events.dock.DockDeletedEvent;
import io.phasegate.events.dock.DockRegisteredEvent;
import io.phasegate.events.dock.EncryptedCredential;
import io.phasegate.events.dock.FailCredentialRotationCommand;
import io.phasegate.events.dock.RecordCredentialUseCommand;
import io.phasegate.events.dock.RegisterDockCommand;
import io.phasegate.events.dock.RetireCredentialCommand;
import io.phasegate.events.dock.RotateDockCredentialsCommand;
import io.phasegate.events.serialization.MessageSerializers;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.hamcrest.Description;
import org.hamcrest.Matcher;
import org.hamcrest.TypeSafeMatcher;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every rule of the {@link Dock} aggregate, with the real envelope encryption over an in-memory key store. */
class DockTest {

    static final String ORG = "acme";
    static final String DOCK = "dock-1";
    static final String SECRET = "good-planted-" + UUID.randomUUID();
    static final DockCredentials CREDENTIALS = new DockCredentials(Map.of("api_key", SECRET));
    static final DockCredentials NEXT = new DockCredentials(Map.of("api_key", "good-next-" + UUID.randomUUID()));
    static final Map<String, String> SETTINGS = Map.of("region", "eu");

    AggregateTestFixture<Dock> fixture;
    InMemoryDataKeyStore keys;
    EnvelopeEncryption encryption;

    @BeforeEach
    void setUp() {
        keys = new InMemoryDataKeyStore();
        encryption = new EnvelopeEncryption(MasterKeys.inMemory(Clock.systemUTC()), keys, Clock.systemUTC());
        fixture = new AggregateTestFixture<>(Dock.class);
        fixture.registerInjectableResource(new DockAdapters(List.of(new TestDockAdapter())));
        fixture.registerInjectableResource(encryption);
        fixture.registerInjectableResource(new DockCredentialSettings(Duration.ofMinutes(15), Duration.ofSeconds(5)));
    }

    // ------------------------------------------------------------------------------------------------ register

    @Test
    void registeringEncryptsTheCredentialsBeforeTheEventIsApplied() {
        List<DockRegisteredEvent> registered = new ArrayList<>();
        fixture.givenNoPriorActivity()
                .when(new RegisterDockCommand(DOCK, ORG, "  Main  ", TestDockAdapter.PROVIDER, SETTINGS, CREDENTIALS,
                        "alice"))
                .expectSuccessfulHandlerExecution()
                .expectEventsMatching(single(DockRegisteredEvent.class, event -> registered.add(event)
                        && event.dockId().equals(DOCK) && event.orgId().equals(ORG) && event.name().equals("Main")
                        && event.provider().equals(TestDockAdapter.PROVIDER) && event.settings().equals(SETTINGS)
                        && event.registeredBy().equals("alice") && event.credential().version() == 1
                        && event.credential().algorithm().equals("AES-256-GCM")));
        DockRegisteredEvent event = registered.get(0);
        // the event carries ciphertext only; it decrypts with this org, dock and version
        String serialized = new String(MessageSerializers.jackson3().serialize(event, byte[].class).getData(),
                java.nio.charset.StandardCharsets.UTF_8);
        assertThat(serialized).doesNotContain(SECRET).contains(event.credential().ciphertext());
        assertThat(event.toString()).doesNotContain(SECRET);
        assertThat(encryption.decrypt(event.credential(), ORG, DOCK).values()).isEqualTo(CREDENTIALS.values());
        assertThat(keys.ofDock(DOCK).orElseThrow().dataKeyId()).isEqualTo(event.credential().dataKeyId());
        // the command's toString shows no value either
        assertThat(new RegisterDockCommand(DOCK, ORG, "n", "p", Map.of(), CREDENTIALS, "a").toString())
                .doesNotContain(SECRET);
    }

    @Test
    void anUnknownProviderIsRefusedAndCreatesNoKey() {
        fixture.givenNoPriorActivity()
                .when(new RegisterDockCommand(DOCK, ORG, "Main", "nope", SETTINGS, CREDENTIALS, "alice"))
                .expectNoEvents()
                .expectExceptionDetails(rejection("unknown_provider", 422,
                        Map.of("providers", List.of(TestDockAdapter.PROVIDER))));
        assertThat(keys.ofDock(DOCK)).isEmpty();
    }

    @Test
    void nameSettingsAndCredentialsAreValidated() {
        for (RegisterDockCommand invalid : List.of(
                new RegisterDockCommand(DOCK, ORG, " ", TestDockAdapter.PROVIDER, SETTINGS, CREDENTIALS, "a"),
                new RegisterDockCommand(DOCK, ORG, "x".repeat(201), TestDockAdapter.PROVIDER, SETTINGS, CREDENTIALS, "a"),
                new RegisterDockCommand(DOCK, ORG, "n", TestDockAdapter.PROVIDER, Map.of("bad key", "v"), CREDENTIALS, "a"),
                new RegisterDockCommand(DOCK, ORG, "n", TestDockAdapter.PROVIDER, SETTINGS, new DockCredentials(Map.of()), "a"),
                new RegisterDockCommand(DOCK, ORG, "n", TestDockAdapter.PROVIDER, SETTINGS,
                        new DockCredentials(Map.of("api_key", "")), "a"))) {
            setUp();
            fixture.givenNoPriorActivity().when(invalid).expectNoEvents()
                    .expectException(org.axonframework.commandhandling.CommandExecutionException.class);
            assertThat(keys.ofDock(DOCK)).isEmpty();
        }
        fixture.givenNoPriorActivity()
                .when(new RegisterDockCommand("bad id!", ORG, "n", TestDockAdapter.PROVIDER, SETTINGS, CREDENTIALS, "a"))
                .expectExceptionDetails(rejection("invalid_dock", 400, Map.of("field", "dock_id")));
    }

    @Test
    void aDockIdWithADataKeyAlreadyCannotBeRegisteredAgain() {
        encryption.createDataKey("other", DOCK);
        fixture.givenNoPriorActivity()
                .when(new RegisterDockCommand(DOCK, ORG, "Main", TestDockAdapter.PROVIDER, SETTINGS, CREDENTIALS, "a"))
                .expectNoEvents()
                .expectExceptionDetails(rejection("dock_id_taken", 409, Map.of()));
    }

    // ------------------------------------------------------------------------------------------------ rotation

    @Test
    void aRotationEncryptsTheCandidateAsTheNextVersion() {
        List<CredentialRotationStartedEvent> started = new ArrayList<>();
        fixture.given(registered())
                .when(new RotateDockCredentialsCommand(DOCK, ORG, NEXT, null, "alice"))
                .expectResultMessagePayloadMatching(matches(DockRotationStarted.class, r -> r.candidateVersion() == 2))
                .expectEventsMatching(single(CredentialRotationStartedEvent.class, e -> started.add(e)
                        && e.candidate().version() == 2 && e.currentVersion() == 1
                        && e.gracePeriod().equals(Duration.ofMinutes(15)) && e.requestedBy().equals("alice")));
        CredentialRotationStartedEvent event = started.get(0);
        assertThat(encryption.decrypt(event.candidate(), ORG, DOCK).values()).isEqualTo(NEXT.values());
        assertThat(event.candidate().dataKeyId()).isEqualTo(registered().credential().dataKeyId());
    }

    @Test
    void onlyOneRotationAtATime() {
        fixture.given(registered(), started("r1", 2, Duration.ofMinutes(5)))
                .when(new RotateDockCredentialsCommand(DOCK, ORG, NEXT, null, "alice"))
                .expectNoEvents()
                .expectExceptionDetails(rejection("rotation_in_progress", 409, Map.of("rotation_id", "r1")));
    }

    @Test
    void aRotationOfAnotherOrganisationsOrADeletedDockIsNotFound() {
        fixture.given(registered())
                .when(new RotateDockCredentialsCommand(DOCK, "other", NEXT, null, "bob"))
                .expectNoEvents()
                .expectExceptionDetails(rejection("dock_not_found", 404, Map.of()));
        fixture.given(registered(), deleted())
                .when(new RotateDockCredentialsCommand(DOCK, ORG, NEXT, null, "alice"))
                .expectNoEvents()
                .expectExceptionDetails(rejection("dock_not_found", 404, Map.of()));
    }

    @Test
    void aGracePeriodOutOfRangeOrEmptyCredentialsAreRefused() {
        fixture.given(registered())
                .when(new RotateDockCredentialsCommand(DOCK, ORG, NEXT, Duration.ofSeconds(-1), "alice"))
                .expectNoEvents()
                .expectExceptionDetails(rejection("invalid_grace_period", 400, Map.of()));
        fixture.given(registered())
                .when(new RotateDockCredentialsCommand(DOCK, ORG, NEXT, Duration.ofDays(8), "alice"))
                .expectExceptionDetails(rejection("invalid_grace_period", 400, Map.of()));
        fixture.given(registered())
                .when(new RotateDockCredentialsCommand(DOCK, ORG, new DockCredentials(Map.of()), null, "alice"))
                .expectExceptionDetails(rejection("invalid_dock", 400, Map.of("field", "credentials")));
    }

    @Test
    void completingMakesTheCandidateCurrentAndKeepsThePreviousForTheGracePeriod() {
        fixture.given(registered(), started("r1", 2, Duration.ofMinutes(5)))
                .when(new CompleteCredentialRotationCommand(DOCK, ORG, "r1"))
                .expectEventsMatching(single(CredentialRotatedEvent.class, e -> e.rotationId().equals("r1")
                        && e.currentVersion() == 2 && e.previousVersion() == 1
                        && e.previousValidUntil().equals(fixture.currentTime().plus(Duration.ofMinutes(5)))
                        && e.rotatedAt().equals(fixture.currentTime())));
    }

    @Test
    void aRepeatedCompletionChangesNothingAndAnUnknownRotationIsAConflict() {
        fixture.given(registered(), started("r1", 2, Duration.ofMinutes(5)), rotated("r1", 2, 1))
                .when(new CompleteCredentialRotationCommand(DOCK, ORG, "r1"))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
        fixture.given(registered())
                .when(new CompleteCredentialRotationCommand(DOCK, ORG, "r9"))
                .expectNoEvents()
                .expectExceptionDetails(rejection("rotation_not_pending", 409, Map.of()));
        fixture.given(registered(), started("r1", 2, Duration.ofMinutes(5)))
                .when(new FailCredentialRotationCommand(DOCK, ORG, "r2", "x"))
                .expectExceptionDetails(rejection("rotation_not_pending", 409, Map.of()));
    }

    @Test
    void aNewRotationRetiresAPreviousVersionStillInItsGracePeriod() {
        fixture.given(registered(), started("r1", 2, Duration.ofMinutes(5)), rotated("r1", 2, 1),
                        started("r2", 3, Duration.ofMinutes(5)))
                .when(new CompleteCredentialRotationCommand(DOCK, ORG, "r2"))
                .expectEventsMatching(events(
                        payload(CredentialRetiredEvent.class, e -> e.version() == 1),
                        payload(CredentialRotatedEvent.class, e -> e.currentVersion() == 3 && e.previousVersion() == 2)));
    }

    @Test
    void aFailedRotationKeepsTheCurrentVersionAndItsNumberIsNotReused() {
        fixture.given(registered(), started("r1", 2, Duration.ofMinutes(5)))
                .when(new FailCredentialRotationCommand(DOCK, ORG, "r1", "x".repeat(800)))
                .expectEventsMatching(single(CredentialRotationFailedEvent.class, e -> e.rotationId().equals("r1")
                        && e.rejectedVersion() == 2 && e.currentVersion() == 1 && e.reason().length() < 600));
        fixture.given(registered(), started("r1", 2, Duration.ofMinutes(5)), failed("r1", 2, 1))
                .when(new RotateDockCredentialsCommand(DOCK, ORG, NEXT, null, "alice"))
                .expectResultMessagePayloadMatching(matches(DockRotationStarted.class, r -> r.candidateVersion() == 3));
        // the failed candidate is no longer live; the current one is
        fixture.given(registered(), started("r1", 2, Duration.ofMinutes(5)), failed("r1", 2, 1))
                .when(new RecordCredentialUseCommand(DOCK, ORG, 2, "proc", "validate", "r1"))
                .expectNoEvents()
                .expectExceptionDetails(rejection("credential_not_live", 409, Map.of("current_version", 1)));
        fixture.given(registered(), started("r1", 2, Duration.ofMinutes(5)), failed("r1", 2, 1))
                .when(new FailCredentialRotationCommand(DOCK, ORG, "r1", "again"))
                .expectSuccessfulHandlerExecution().expectNoEvents();
    }

    @Test
    void retiringThePreviousVersionOnceAndNeverTheCurrentOne() {
        fixture.given(registered(), started("r1", 2, Duration.ofMinutes(5)), rotated("r1", 2, 1))
                .when(new RetireCredentialCommand(DOCK, ORG, 1))
                .expectEventsMatching(single(CredentialRetiredEvent.class, e -> e.version() == 1
                        && e.retiredAt().equals(fixture.currentTime())));
        fixture.given(registered(), started("r1", 2, Duration.ofMinutes(5)), rotated("r1", 2, 1), retired(1))
                .when(new RetireCredentialCommand(DOCK, ORG, 1))
                .expectSuccessfulHandlerExecution().expectNoEvents();
        fixture.given(registered(), started("r1", 2, Duration.ofMinutes(5)), rotated("r1", 2, 1))
                .when(new RetireCredentialCommand(DOCK, ORG, 2))
                .expectNoEvents()
                .expectExceptionDetails(rejection("credential_in_use", 409, Map.of()));
    }

    // ------------------------------------------------------------------------------------------------ use

    @Test
    void everyLiveVersionsUseIsRecordedAndAnswersItsCiphertext() {
        DockRegisteredEvent registered = registered();
        fixture.given(registered)
                .when(new RecordCredentialUseCommand(DOCK, ORG, 1, "provisioner", "provision", "op-1"))
                .expectEventsMatching(single(DockCredentialDecryptedEvent.class, e -> e.version() == 1
                        && e.actor().equals("provisioner") && e.purpose().equals("provision")
                        && e.operationId().equals("op-1") && e.decryptedAt().equals(fixture.currentTime())))
                .expectResultMessagePayloadMatching(matches(CredentialUse.class, use ->
                        use.credential().equals(registered.credential())
                                && use.provider().equals(TestDockAdapter.PROVIDER) && use.settings().equals(SETTINGS)));
        // the candidate and, during its grace period, the previous version are live too
        fixture.given(registered, started("r1", 2, Duration.ofMinutes(5)))
                .when(new RecordCredentialUseCommand(DOCK, ORG, 2, "rotation", "validate", "r1"))
                .expectEventsMatching(single(DockCredentialDecryptedEvent.class, e -> e.version() == 2));
        fixture.given(registered, started("r1", 2, Duration.ofMinutes(5)), rotated("r1", 2, 1))
                .when(new RecordCredentialUseCommand(DOCK, ORG, 1, "p", "deprovision", "op-2"))
                .expectEventsMatching(single(DockCredentialDecryptedEvent.class, e -> e.version() == 1));
    }

    @Test
    void aRetiredVersionADeletedDockOrABadPurposeIsRefused() {
        fixture.given(registered(), started("r1", 2, Duration.ofMinutes(5)), rotated("r1", 2, 1), retired(1))
                .when(new RecordCredentialUseCommand(DOCK, ORG, 1, "p", "provision", "op"))
                .expectNoEvents()
                .expectExceptionDetails(rejection("credential_not_live", 409, Map.of("current_version", 2)));
        fixture.given(registered(), deleted())
                .when(new RecordCredentialUseCommand(DOCK, ORG, 1, "p", "provision", "op"))
                .expectNoEvents()
                .expectExceptionDetails(rejection("dock_not_found", 404, Map.of()));
        fixture.given(registered())
                .when(new RecordCredentialUseCommand(DOCK, "other", 1, "p", "provision", "op"))
                .expectExceptionDetails(rejection("dock_not_found", 404, Map.of()));
        fixture.given(registered())
                .when(new RecordCredentialUseCommand(DOCK, ORG, 1, "p", "Not A Purpose", "op"))
                .expectNoEvents()
                .expectExceptionDetails(rejection("invalid_credential_use", 400, Map.of()));
        fixture.given(registered())
                .when(new RecordCredentialUseCommand(DOCK, ORG, 7, "p", "provision", "op"))
                .expectExceptionDetails(rejection("credential_not_live", 409, Map.of("current_version", 1)));
    }

    // ------------------------------------------------------------------------------------------------ delete

    @Test
    void deletingDestroysTheDataKeySoTheStoredCiphertextIsUnreadable() {
        DockRegisteredEvent registered = registered();
        String keyId = registered.credential().dataKeyId();
        fixture.given(registered)
                .when(new DeleteDockCommand(DOCK, ORG, "alice"))
                .expectEventsMatching(single(DockDeletedEvent.class, e -> e.dataKeyId().equals(keyId)
                        && e.deletedBy().equals("alice") && e.deletedAt().equals(fixture.currentTime())));
        assertThat(keys.find(keyId).orElseThrow().destroyed()).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> encryption.decrypt(registered.credential(), ORG, DOCK))
                .isInstanceOf(io.phasegate.command.crypto.DataKeyShreddedException.class);
    }

    @Test
    void anotherOrganisationCannotDeleteAndADeletedDockIsGone() {
        DockRegisteredEvent registered = registered();
        fixture.given(registered)
                .when(new DeleteDockCommand(DOCK, "other", "bob"))
                .expectNoEvents()
                .expectExceptionDetails(rejection("dock_not_found", 404, Map.of()));
        assertThat(keys.find(registered.credential().dataKeyId()).orElseThrow().destroyed()).isFalse();
        fixture.given(registered, deleted())
                .when(new DeleteDockCommand(DOCK, ORG, "alice"))
                .expectExceptionDetails(rejection("dock_not_found", 404, Map.of()));
        fixture.given(registered, deleted())
                .when(new RetireCredentialCommand(DOCK, ORG, 1))
                .expectExceptionDetails(rejection("dock_not_found", 404, Map.of()));
    }

    // ------------------------------------------------------------------------------------------------ support

    private DockRegisteredEvent registeredEvent;

    DockRegisteredEvent registered() {
        if (registeredEvent == null || keys.ofDock(DOCK).isEmpty()) {
            String keyId = encryption.createDataKey(ORG, DOCK);
            registeredEvent = new DockRegisteredEvent(DOCK, ORG, "Main", TestDockAdapter.PROVIDER, SETTINGS,
                    encryption.encrypt(keyId, ORG, DOCK, 1, CREDENTIALS), "alice", Instant.parse("2025-01-01T00:00:00Z"));
        }
        return registeredEvent;
    }

    CredentialRotationStartedEvent started(String rotationId, int version, Duration grace) {
        EncryptedCredential candidate = encryption.encrypt(registered().credential().dataKeyId(), ORG, DOCK, version,
                NEXT);
        return new CredentialRotationStartedEvent(DOCK, ORG, rotationId, candidate, version - 1, grace, "alice",
                Instant.parse("2025-01-01T01:00:00Z"));
    }

    static CredentialRotatedEvent rotated(String rotationId, int current, int previous) {
        return new CredentialRotatedEvent(DOCK, ORG, rotationId, current, previous,
                Instant.parse("2025-01-01T01:05:00Z"), Instant.parse("2025-01-01T01:00:01Z"));
    }

    static CredentialRotationFailedEvent failed(String rotationId, int rejected, int current) {
        return new CredentialRotationFailedEvent(DOCK, ORG, rotationId, rejected, current, "rejected",
                Instant.parse("2025-01-01T01:00:01Z"));
    }

    static CredentialRetiredEvent retired(int version) {
        return new CredentialRetiredEvent(DOCK, ORG, version, Instant.parse("2025-01-01T01:05:00Z"));
    }

    DockDeletedEvent deleted() {
        return new DockDeletedEvent(DOCK, ORG, registered().credential().dataKeyId(), "alice",
                Instant.parse("2025-01-01T02:00:00Z"));
    }

    /** Exactly one event, of this type, satisfying the predicate. */
    static <T> Matcher<List<EventMessage<?>>> single(Class<T> type, Predicate<T> predicate) {
        return events(payload(type, predicate));
    }

    @SafeVarargs
    static Matcher<List<EventMessage<?>>> events(Matcher<? super EventMessage<?>>... matchers) {
        List<Matcher<? super EventMessage<?>>> all = new ArrayList<>(List.of(matchers));
        all.add(org.axonframework.test.matchers.Matchers.andNoMore());
        @SuppressWarnings({"unchecked", "rawtypes"})
        Matcher<List<EventMessage<?>>> sequence = (Matcher) org.axonframework.test.matchers.Matchers
                .exactSequenceOf(all.toArray(Matcher[]::new));
        return sequence;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static <T> Matcher<? super EventMessage<?>> payload(Class<T> type, Predicate<T> predicate) {
        return (Matcher) org.axonframework.test.matchers.Matchers.messageWithPayload(matches(type, predicate));
    }

    static <T> Matcher<Object> matches(Class<T> type, Predicate<T> predicate) {
        return new TypeSafeMatcher<>() {
            @Override
            protected boolean matchesSafely(Object item) {
                return type.isInstance(item) && predicate.test(type.cast(item));
            }

            @Override
            public void describeTo(Description description) {
                description.appendText("a matching " + type.getSimpleName());
            }
        };
    }
}
