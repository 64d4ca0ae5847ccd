package io.phasegate.command.resource;

import static io.phasegate.command.resource.ResourceTestData.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.axonframework.test.matchers.Matchers.andNoMore;
import static org.axonframework.test.matchers.Matchers.exactSequenceOf;
import static org.axonframework.test.matchers.Matchers.listWithAllOf;
import static org.axonframework.test.matchers.Matchers.payloadsMatching;

import io.phasegate.command.adapter.DockAdapters;
import io.phasegate.command.adapter.ResourceRequest;
import io.phasegate.events.resource.CompleteResourceOperationCommand;
import io.phasegate.events.resource.FailResourceOperationCommand;
import io.phasegate.events.resource.RecordOperationAttemptFailureCommand;
import io.phasegate.events.resource.ResourceDeprovisionedEvent;
import io.phasegate.events.resource.ResourceOperation;
import io.phasegate.events.resource.ResourceOperationFailedEvent;
import io.phasegate.events.resource.ResourceType;
import io.phasegate.events.resource.ResourceUpdatedEvent;
import io.phasegate.events.serialization.MessageSerializers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.axonframework.commandhandling.gateway.DefaultCommandGateway;
import org.axonframework.messaging.Scope;
import org.axonframework.messaging.ScopeDescriptor;
import org.axonframework.modelling.saga.SagaScopeDescriptor;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.test.deadline.StubDeadlineManager;
import org.axonframework.test.saga.SagaTestFixture;
import org.axonframework.test.utils.RecordingCommandBus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The provisioning process against an in-memory provider (real classes, no mocks): success, retries with back-off
 * over durable deadlines, permanent failures, exhausted attempts, time-outs and redeliveries. Back-off here: 1 s, then
 * 2 s (jitter fixed at its maximum), at most 3 attempts, calls time out after 300 ms.
 */
class ResourceProvisioningTest {

    private static final String ADDRESS = "mem-1.example.test";

    private SagaTestFixture<ResourceProvisioning> fixture;
    private InMemoryDocks docks;
    private InMemoryProvider provider;
    private ProviderCalls calls;

    @BeforeEach
    void setUp() {
        docks = new InMemoryDocks().register(ORG, DOCK, PROVIDER);
        provider = new InMemoryProvider(PROVIDER);
        calls = new ProviderCalls(ResourceDocks.of(docks), new DockAdapters(List.of(provider)),
                new ProvisioningProperties(Duration.ofMillis(300), 3, Duration.ofSeconds(1), Duration.ofSeconds(2)),
                () -> 1.0);
        fixture = new SagaTestFixture<>(ResourceProvisioning.class);
        fixture.registerResource(calls);
    }

    @AfterEach
    void tearDown() {
        calls.close();
    }

    private static CompleteResourceOperationCommand completed(String operationId, String providerId) {
        return new CompleteResourceOperationCommand(RESOURCE, ORG, operationId, providerId, Map.of("address", ADDRESS));
    }

    @Test
    void aProvisioningRequestCallsTheProviderWithTheOperationIdAndCompletesTheOperation() {
        fixture.givenNoPriorActivity()
                .whenPublishingA(requested())
                .expectActiveSagas(1)
                .expectAssociationWith("resourceId", RESOURCE)
                .expectDispatchedCommands(completed(OP1, PROVIDER_ID))
                .expectNoScheduledDeadlines();
        assertThat(provider.created()).isEqualTo(1);
        assertThat(provider.calls()).containsExactly(new InMemoryProvider.Call("provision", OP1, null));
        assertThat(provider.resources().get(PROVIDER_ID).spec()).isEqualTo(SPEC);
        // the dock's credentials were opened for this operation, on behalf of the requester
        assertThat(docks.uses()).containsExactly(new InMemoryDocks.Use(ORG, DOCK, USER, "provision", OP1));
    }

    @Test
    void aTransientFailureIsRecordedAndRetriedAfterTheBackOff() {
        provider.failNext(1, true);
        fixture.givenNoPriorActivity()
                .whenPublishingA(requested())
                .expectDispatchedCommandsMatching(payloadsMatching(exactSequenceOf(
                        payload(RecordOperationAttemptFailureCommand.class, c -> c.resourceId().equals(RESOURCE)
                                && c.operationId().equals(OP1) && c.attempt() == 1
                                && c.reason().equals("provider_unavailable: the provider is unavailable (injected)")
                                && c.nextAttemptAt() != null),
                        andNoMore())))
                .expectScheduledDeadline(Duration.ofSeconds(1), new ResourceProvisioning.AttemptDue(OP1, 2));
        assertThat(provider.created()).isZero();
    }

    @Test
    void theRetryAfterTheBackOffSucceedsWithTheSameIdempotencyKey() {
        provider.failNext(1, true);
        fixture.givenAPublished(requested())
                .whenTimeElapses(Duration.ofMillis(999))
                .expectNoDispatchedCommands();
        fixture.whenTimeElapses(Duration.ofMillis(1))
                .expectTriggeredDeadlines(new ResourceProvisioning.AttemptDue(OP1, 2))
                .expectDispatchedCommands(completed(OP1, PROVIDER_ID))
                .expectNoScheduledDeadlines();
        assertThat(provider.calls()).extracting(InMemoryProvider.Call::idempotencyKey).containsExactly(OP1, OP1);
        assertThat(provider.created()).isEqualTo(1);
    }

    @Test
    void aPermanentFailureFailsTheOperationWithTheReasonAndNoRetry() {
        provider.failNext(1, false);
        fixture.givenNoPriorActivity()
                .whenPublishingA(requested())
                .expectDispatchedCommands(new FailResourceOperationCommand(RESOURCE, ORG, OP1,
                        "invalid_spec: the provider refused the spec (injected)", 1))
                .expectNoScheduledDeadlines();
        assertThat(provider.calls()).hasSize(1);
    }

    @Test
    void theOperationFailsWhenTheAttemptsAreUsedUp() throws Exception {
        provider.failNext(3, true);
        fixture.givenAPublished(requested())
                .andThenTimeElapses(Duration.ofSeconds(1))       // attempt 2 fails, the next one in 2 s
                .whenTimeElapses(Duration.ofSeconds(2))          // attempt 3 fails: the last one
                .expectDispatchedCommands(new FailResourceOperationCommand(RESOURCE, ORG, OP1,
                        "provider_unavailable: the provider is unavailable (injected) (gave up after 3 attempts)", 3))
                .expectNoScheduledDeadlines();
        assertThat(provider.calls()).hasSize(3);
        assertThat(provider.created()).isZero();
    }

    @Test
    void theBackOffGrowsExponentiallyUpToTheMaximum() {
        provider.failNext(2, true);
        fixture.givenAPublished(requested())
                .whenTimeElapses(Duration.ofSeconds(1))
                .expectDispatchedCommandsMatching(payloadsMatching(exactSequenceOf(
                        payload(RecordOperationAttemptFailureCommand.class, c -> c.attempt() == 2), andNoMore())))
                .expectScheduledDeadline(Duration.ofSeconds(2), new ResourceProvisioning.AttemptDue(OP1, 3));
        ProviderCalls jittered = new ProviderCalls(ResourceDocks.of(docks), new DockAdapters(List.of(provider)),
                new ProvisioningProperties(Duration.ofSeconds(10), 5, Duration.ofSeconds(1), Duration.ofSeconds(30)),
                () -> 0.0);
        try {
            // equal jitter: between half and all of min(max, initial * 2^(n-1))
            assertThat(jittered.backoff(1)).isEqualTo(Duration.ofMillis(500));
            assertThat(jittered.backoff(4)).isEqualTo(Duration.ofSeconds(4));
            assertThat(jittered.backoff(10)).isEqualTo(Duration.ofSeconds(15));
            assertThat(calls.backoff(10)).isEqualTo(Duration.ofSeconds(2));
        } finally {
            jittered.close();
        }
    }

    @Test
    void aCallThatTimesOutIsARetryableFailure() {
        provider.sleepNext(Duration.ofSeconds(3));
        long started = System.nanoTime();
        fixture.givenNoPriorActivity()
                .whenPublishingA(requested())
                .expectDispatchedCommandsMatching(payloadsMatching(exactSequenceOf(
                        payload(RecordOperationAttemptFailureCommand.class, c -> c.attempt() == 1
                                && c.reason().equals("timeout: the provider did not answer within 300 ms")),
                        andNoMore())))
                .expectScheduledDeadline(Duration.ofSeconds(1), new ResourceProvisioning.AttemptDue(OP1, 2));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void aResourceCreatedByACallThatTimedOutIsFoundAgainByTheRetryNotCreatedTwice() {
        provider.slowAfterCreatingNext(Duration.ofSeconds(2));
        fixture.givenAPublished(requested())
                .whenTimeElapses(Duration.ofSeconds(1))
                .expectDispatchedCommands(completed(OP1, PROVIDER_ID));
        assertThat(provider.created()).isEqualTo(1);
        assertThat(provider.calls()).extracting(InMemoryProvider.Call::idempotencyKey).containsExactly(OP1, OP1);
    }

    /**
     * The process died after the provider created the resource but before anything was committed: the request is
     * delivered again to a fresh process, which asks again with the same key and completes with the same resource.
     */
    @Test
    void aRedeliveredRequestAfterACrashCallsTheProviderWithTheSameKeyAndCreatesNothingNew() {
        var first = provider.provision(docks.open(ORG, DOCK, USER, "provision", OP1),
                new ResourceRequest(RESOURCE, ORG, ResourceType.SERVER, "web-1", SPEC, OP1));
        assertThat(provider.created()).isEqualTo(1);

        fixture.givenNoPriorActivity()
                .whenPublishingA(requested())
                .expectDispatchedCommands(completed(OP1, first.providerResourceId()));
        assertThat(provider.created()).isEqualTo(1);
        assertThat(provider.calls()).extracting(InMemoryProvider.Call::idempotencyKey).containsExactly(OP1, OP1);
    }

    @Test
    void aDuplicateDeliveryWhileTheOperationIsOpenRetriesWithTheSameKey() {
        provider.failNext(1, true);
        fixture.givenAPublished(requested())
                .whenPublishingA(requested())
                .expectDispatchedCommands(completed(OP1, PROVIDER_ID))
                .expectNoScheduledDeadlines();
        assertThat(provider.calls()).extracting(InMemoryProvider.Call::idempotencyKey).containsExactly(OP1, OP1);
        assertThat(provider.created()).isEqualTo(1);
        // the pending retry was cancelled: nothing more happens when its time comes
        fixture.whenTimeElapses(Duration.ofSeconds(5)).expectNoDispatchedCommands();
    }

    @Test
    void aDuplicateDeliveryOfAnEndedOperationDoesNothing() {
        fixture.givenAPublished(requested())
                .andThenAPublished(provisioned())
                .whenPublishingA(requested())
                .expectNoDispatchedCommands()
                .expectNoScheduledDeadlines();
        assertThat(provider.calls()).hasSize(1);
    }

    @Test
    void anUpdateAppliesTheNewSpecToTheProviderResource() {
        fixture.givenAPublished(requested())
                .andThenAPublished(provisioned())
                .whenPublishingA(updateRequested())
                .expectDispatchedCommandsMatching(payloadsMatching(exactSequenceOf(
                        payload(CompleteResourceOperationCommand.class, c -> c.operationId().equals(OP2)
                                && c.providerResourceId().equals(PROVIDER_ID)
                                && c.attributes().containsKey("generation")), andNoMore())));
        assertThat(provider.calls()).last().isEqualTo(new InMemoryProvider.Call("update", OP2, PROVIDER_ID));
        assertThat(provider.resources().get(PROVIDER_ID).spec()).isEqualTo(SPEC2);
    }

    @Test
    void aDeprovisionDeletesTheProviderResourceAndTheProcessEndsWithTheResource() {
        fixture.givenAPublished(requested())
                .andThenAPublished(provisioned())
                .andThenAPublished(updateRequested())
                .andThenAPublished(new ResourceUpdatedEvent(RESOURCE, ORG, OP2, 2, Map.of(), T0))
                .whenPublishingA(deprovisionRequested(PROVIDER_ID, 3))
                .expectDispatchedCommands(new CompleteResourceOperationCommand(RESOURCE, ORG, OP3, PROVIDER_ID,
                        Map.of()));
        assertThat(provider.calls()).last().isEqualTo(new InMemoryProvider.Call("deprovision", OP3, PROVIDER_ID));
        assertThat(provider.resources()).isEmpty();
        fixture.whenPublishingA(new ResourceDeprovisionedEvent(RESOURCE, ORG, OP3, 3, T0))
                .expectActiveSagas(0);
    }

    @Test
    void aResourceWithoutProviderIdIsDeprovisionedWithoutAProviderCall() {
        provider.failNext(1, false);
        fixture.givenAPublished(requested())
                .andThenAPublished(new ResourceOperationFailedEvent(RESOURCE, ORG, OP1, ResourceOperation.PROVISION,
                        "invalid_spec", 1, 1, T0))
                .whenPublishingA(deprovisionRequested(null, 2))
                .expectDispatchedCommands(new CompleteResourceOperationCommand(RESOURCE, ORG, OP3, null, Map.of()));
        assertThat(provider.calls()).extracting(InMemoryProvider.Call::operation).containsExactly("provision");
        assertThat(docks.uses()).hasSize(1);
    }

    @Test
    void anImportedResourceIsDeprovisionedAtTheProviderWithItsImportedId() {
        provider.provision(docks.open(ORG, DOCK, USER, "setup", "setup"),
                new ResourceRequest("x", ORG, ResourceType.DATABASE, "db-1", SPEC, "setup"));
        fixture.givenAPublished(imported())
                .whenPublishingA(deprovisionRequested(PROVIDER_ID, 2))
                .expectDispatchedCommands(new CompleteResourceOperationCommand(RESOURCE, ORG, OP3, PROVIDER_ID,
                        Map.of()));
        assertThat(provider.resources()).isEmpty();
    }

    @Test
    void aDockThatIsGoneFailsTheOperationForGood() {
        docks.delete(ORG, DOCK);
        fixture.givenNoPriorActivity()
                .whenPublishingA(requested())
                .expectDispatchedCommands(new FailResourceOperationCommand(RESOURCE, ORG, OP1,
                        "dock_unavailable: the dock does not exist any more", 1))
                .expectNoScheduledDeadlines();
        assertThat(provider.calls()).isEmpty();
    }

    @Test
    void anUnknownProviderFailsTheOperationForGood() {
        docks.register(ORG, DOCK, "no-such-provider");
        fixture.givenNoPriorActivity()
                .whenPublishingA(requested())
                .expectDispatchedCommandsMatching(payloadsMatching(exactSequenceOf(
                        payload(FailResourceOperationCommand.class, c -> c.reason().startsWith("unknown_provider:")),
                        andNoMore())));
    }

    @Test
    void failuresNeverCarryTheCredentials() throws Exception {
        provider.failNext(2, true).failNext(1, false);
        fixture.givenAPublished(requested())
                .andThenTimeElapses(Duration.ofSeconds(1))
                .whenTimeElapses(Duration.ofSeconds(2))
                .expectDispatchedCommandsMatching(listWithAllOf(payload(FailResourceOperationCommand.class,
                        c -> !c.toString().contains(InMemoryDocks.SECRET))));
        assertThat(fixture.getCommandBus().getDispatchedCommands())
                .allSatisfy(command -> assertThat(command.toString()).doesNotContain(InMemoryDocks.SECRET));
    }

    /** The JDBC saga store keeps the process as JSON: its state survives a round trip through the serializer. */
    @Test
    void theProcessStateSurvivesSerialization() throws Exception {
        provider.failNext(1, true);
        ResourceProvisioning saga = new ResourceProvisioning();
        RecordingCommandBus bus = new RecordingCommandBus();
        StubDeadlineManager deadlines = new StubDeadlineManager();
        new Scope() {
            @Override
            public ScopeDescriptor describeScope() {
                return new SagaScopeDescriptor(ResourceProvisioning.class.getName(), "saga-1");
            }

            void run() throws Exception {
                executeWithResult(() -> {
                    saga.on(requested(), calls, DefaultCommandGateway.builder().commandBus(bus).build(), deadlines);
                    return null;
                });
            }
        }.run();
        assertThat(bus.getDispatchedCommands()).hasSize(1);

        var serializer = MessageSerializers.jackson3();
        SerializedObject<byte[]> bytes = serializer.serialize(saga, byte[].class);
        assertThat(new String(bytes.getData())).doesNotContain(InMemoryDocks.SECRET);
        ResourceProvisioning copy = serializer.deserialize(bytes);
        assertThat(copy).usingRecursiveComparison().isEqualTo(saga);
        assertThat(new String(bytes.getData())).contains(OP1, "\"attempts\":1", DOCK, "web-1");
    }
}
