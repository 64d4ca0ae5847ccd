package io.phasegate.command.resource;

import static io.phasegate.command.Rejections.rejection;
import static io.phasegate.command.resource.ResourceTestData.*;
import static org.axonframework.test.matchers.Matchers.andNoMore;
import static org.axonframework.test.matchers.Matchers.exactSequenceOf;
import static org.axonframework.test.matchers.Matchers.payloadsMatching;

import io.phasegate.events.resource.CompleteResourceOperationCommand;
import io.phasegate.events.resource.DeprovisionResourceCommand;
import io.phasegate.events.resource.FailResourceOperationCommand;
import io.phasegate.events.resource.ImportResourceCommand;
import io.phasegate.events.resource.ProvisionResourceCommand;
import io.phasegate.events.resource.ProvisioningSource;
import io.phasegate.events.resource.RecordOperationAttemptFailureCommand;
import io.phasegate.events.resource.ResourceDeprovisionedEvent;
import io.phasegate.events.resource.ResourceDeprovisioningRequestedEvent;
import io.phasegate.events.resource.ResourceImportedEvent;
import io.phasegate.events.resource.ResourceOperation;
import io.phasegate.events.resource.ResourceOperationAttemptFailedEvent;
import io.phasegate.events.resource.ResourceOperationFailedEvent;
import io.phasegate.events.resource.ResourceProvisionedEvent;
import io.phasegate.events.resource.ResourceProvisioningRequestedEvent;
import io.phasegate.events.resource.ResourceState;
import io.phasegate.events.resource.ResourceType;
import io.phasegate.events.resource.ResourceUpdateRequestedEvent;
import io.phasegate.events.resource.ResourceUpdatedEvent;
import io.phasegate.events.resource.UpdateResourceCommand;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Every transition and refusal of the {@link Resource} state machine (SPEC §2.7). */
class ResourceTest {

    private AggregateTestFixture<Resource> fixture;
    private InMemoryDocks docks;

    @BeforeEach
    void setUp() {
        docks = new InMemoryDocks().register(ORG, DOCK, PROVIDER).register(OTHER_ORG, "their-dock", PROVIDER);
        fixture = new AggregateTestFixture<>(Resource.class);
        fixture.registerInjectableResource(ResourceDocks.of(docks));
    }

    private static ProvisionResourceCommand provision(String dockId, String name, Map<String, Object> spec) {
        return new ProvisionResourceCommand(RESOURCE, ORG, dockId, ResourceType.SERVER, name, spec, USER);
    }

    @Nested
    class Provisioning {

        @Test
        void aValidRequestStartsProvisioningAtRevisionOneWithANewOperation() {
            AtomicReference<String> operation = new AtomicReference<>();
            fixture.givenNoPriorActivity()
                    .when(provision(DOCK, "web-1", SPEC))
                    .expectSuccessfulHandlerExecution()
                    .expectEventsMatching(payloadsMatching(exactSequenceOf(
                            payload(ResourceProvisioningRequestedEvent.class, e -> e.resourceId().equals(RESOURCE)
                                    && e.orgId().equals(ORG) && e.dockId().equals(DOCK)
                                    && e.type() == ResourceType.SERVER && e.name().equals("web-1")
                                    && e.spec().equals(SPEC) && e.source() == ProvisioningSource.API
                                    && e.revision() == 1 && e.requestedBy().equals(USER)
                                    && e.operationId().matches("[0-9a-f-]{36}") && e.requestedAt() != null
                                    && operation.compareAndSet(null, e.operationId())),
                            andNoMore())))
                    // the answer names the operation the event started
                    .expectResultMessagePayloadMatching(payload(OperationAccepted.class, r ->
                            r.resourceId().equals(RESOURCE) && r.state() == ResourceState.PROVISIONING
                                    && r.revision() == 1 && r.operationId().equals(operation.get())));
        }

        @Test
        void aDockThatDoesNotExistIsNotFound() {
            fixture.givenNoPriorActivity()
                    .when(provision("no-such-dock", "web-1", SPEC))
                    .expectException(CommandExecutionException.class)
                    .expectExceptionDetails(rejection("dock_not_found", 404, Map.of()))
                    .expectNoEvents();
        }

        @Test
        void anotherOrganisationsDockIsNotFound() {
            fixture.givenNoPriorActivity()
                    .when(provision("their-dock", "web-1", SPEC))
                    .expectExceptionDetails(rejection("dock_not_found", 404, Map.of()))
                    .expectNoEvents();
        }

        @Test
        void aDeletedDockIsNotFound() {
            docks.delete(ORG, DOCK);
            fixture.givenNoPriorActivity()
                    .when(provision(DOCK, "web-1", SPEC))
                    .expectExceptionDetails(rejection("dock_not_found", 404, Map.of()));
        }

        @Test
        void aNameThatIsNotASlugIsRefused() {
            for (String name : new String[]{"Web_1", "-web", "web-", "a".repeat(64), ""}) {
                fixture.givenNoPriorActivity()
                        .when(provision(DOCK, name, SPEC))
                        .expectExceptionDetails(rejection("validation_failed", 400, Map.of("problems",
                                List.of(Map.of("field", "name", "message", ResourceRules.checkName(name).get(0)
                                        .message())))))
                        .expectNoEvents();
            }
            fixture.givenNoPriorActivity().when(provision(DOCK, "a".repeat(63), SPEC))
                    .expectSuccessfulHandlerExecution();
        }

        @Test
        void aSpecDeeperThanEightLevelsIsRefused() {
            fixture.givenNoPriorActivity()
                    .when(provision(DOCK, "web-1", nested(8)))
                    .expectSuccessfulHandlerExecution();
            fixture.givenNoPriorActivity()
                    .when(provision(DOCK, "web-1", nested(9)))
                    .expectExceptionDetails(rejection("validation_failed", 400, Map.of("problems", List.of(Map.of(
                            "field", "spec", "message", "must be nested at most 8 levels deep")))))
                    .expectNoEvents();
        }

        @Test
        void aSpecLargerThanSixteenKilobytesIsRefused() {
            fixture.givenNoPriorActivity()
                    .when(provision(DOCK, "web-1", Map.of("blob", "x".repeat(16 * 1024))))
                    .expectExceptionDetails(rejection("validation_failed", 400, Map.of("problems", List.of(Map.of(
                            "field", "spec", "message", "must be at most 16384 bytes as JSON")))))
                    .expectNoEvents();
            fixture.givenNoPriorActivity()
                    .when(provision(DOCK, "web-1", Map.of("blob", "x".repeat(16 * 1024 - 20))))
                    .expectSuccessfulHandlerExecution();
        }

        @Test
        void aMissingTypeIsRefused() {
            fixture.givenNoPriorActivity()
                    .when(new ProvisionResourceCommand(RESOURCE, ORG, DOCK, null, "web-1", SPEC, USER))
                    .expectExceptionDetails(rejection("validation_failed", 400, Map.of("problems", List.of(Map.of(
                            "field", "type", "message", "is required")))));
        }

        @Test
        void anExistingIdIsAConflictInTheSameOrganisationAndNotFoundInAnother() {
            fixture.given(requested())
                    .when(provision(DOCK, "web-2", SPEC))
                    .expectExceptionDetails(rejection("resource_exists", 409, Map.of()))
                    .expectNoEvents();
            fixture.given(requested())
                    .when(new ProvisionResourceCommand(RESOURCE, OTHER_ORG, "their-dock", ResourceType.SERVER,
                            "web-2", SPEC, "bob"))
                    .expectExceptionDetails(rejection("resource_not_found", 404, Map.of()))
                    .expectNoEvents();
        }
    }

    @Nested
    class Importing {

        private ImportResourceCommand importing(ProvisioningSource source, String providerResourceId, String dockId) {
            return new ImportResourceCommand(RESOURCE, ORG, dockId, ResourceType.DATABASE, "db-1", SPEC,
                    providerResourceId, source, USER);
        }

        @Test
        void anImportedResourceIsProvisionedAtRevisionOneWithoutAnOperation() {
            for (ProvisioningSource source : new ProvisioningSource[]{ProvisioningSource.IMPORT,
                    ProvisioningSource.MANUAL}) {
                fixture.givenNoPriorActivity()
                        .when(importing(source, "prov-42", DOCK))
                        .expectEventsMatching(payloadsMatching(exactSequenceOf(
                                payload(ResourceImportedEvent.class, e -> e.source() == source
                                        && e.providerResourceId().equals("prov-42") && e.spec().equals(SPEC)
                                        && e.type() == ResourceType.DATABASE && e.importedBy().equals(USER)),
                                andNoMore())))
                        .expectResultMessagePayload(new OperationAccepted(RESOURCE, null, ResourceState.PROVISIONED, 1));
            }
        }

        @Test
        void anImportNeedsAProviderResourceIdAManualOrImportSourceAndADock() {
            fixture.givenNoPriorActivity()
                    .when(importing(ProvisioningSource.IMPORT, null, DOCK))
                    .expectExceptionDetails(rejection("validation_failed", 400, Map.of("problems", List.of(Map.of(
                            "field", "provider_resource_id", "message", "is required")))));
            fixture.givenNoPriorActivity()
                    .when(importing(ProvisioningSource.API, "prov-42", DOCK))
                    .expectExceptionDetails(rejection("validation_failed", 400, Map.of("problems", List.of(Map.of(
                            "field", "provisioning_source", "message", "must be import or manual")))));
            fixture.givenNoPriorActivity()
                    .when(importing(ProvisioningSource.IMPORT, "prov-42", "their-dock"))
                    .expectExceptionDetails(rejection("dock_not_found", 404, Map.of()))
                    .expectNoEvents();
        }

        @Test
        void anImportedResourceCanBeUpdated() {
            fixture.given(imported())
                    .when(new UpdateResourceCommand(RESOURCE, ORG, SPEC2, 1, USER))
                    .expectEventsMatching(payloadsMatching(exactSequenceOf(
                            payload(ResourceUpdateRequestedEvent.class, e -> e.revision() == 2
                                    && e.spec().equals(SPEC2)), andNoMore())));
        }
    }

    @Nested
    class Updating {

        @Test
        void anUpdateWithTheCurrentRevisionStartsAnUpdateAtTheNextRevision() {
            fixture.given(requested(), provisioned())
                    .when(new UpdateResourceCommand(RESOURCE, ORG, SPEC2, 1, USER))
                    .expectEventsMatching(payloadsMatching(exactSequenceOf(
                            payload(ResourceUpdateRequestedEvent.class, e -> e.resourceId().equals(RESOURCE)
                                    && e.orgId().equals(ORG) && e.dockId().equals(DOCK) && e.revision() == 2
                                    && e.spec().equals(SPEC2) && !e.operationId().equals(OP1)
                                    && e.requestedBy().equals(USER)),
                            andNoMore())))
                    .expectResultMessagePayloadMatching(payload(OperationAccepted.class, r ->
                            r.state() == ResourceState.UPDATING && r.revision() == 2));
        }

        @Test
        void aStaleRevisionIsAConflictNamingTheCurrentOne() {
            fixture.given(requested(), provisioned(), updateRequested(),
                            new ResourceUpdatedEvent(RESOURCE, ORG, OP2, 2, Map.of(), T0))
                    .when(new UpdateResourceCommand(RESOURCE, ORG, SPEC, 1, USER))
                    .expectException(CommandExecutionException.class)
                    .expectExceptionDetails(rejection("stale_revision", 409, Map.of("current_revision", 2L)))
                    .expectNoEvents();
        }

        @Test
        void onlyAProvisionedResourceCanBeUpdated() {
            fixture.given(requested())
                    .when(new UpdateResourceCommand(RESOURCE, ORG, SPEC2, 1, USER))
                    .expectExceptionDetails(rejection("invalid_state", 409, Map.of("state", "provisioning")));
            fixture.given(requested(), provisioned(), updateRequested())
                    .when(new UpdateResourceCommand(RESOURCE, ORG, SPEC2, 2, USER))
                    .expectExceptionDetails(rejection("invalid_state", 409, Map.of("state", "updating")));
            fixture.given(requested(), new ResourceOperationFailedEvent(RESOURCE, ORG, OP1, ResourceOperation.PROVISION,
                            "boom", 5, 1, T0))
                    .when(new UpdateResourceCommand(RESOURCE, ORG, SPEC2, 1, USER))
                    .expectExceptionDetails(rejection("invalid_state", 409, Map.of("state", "failed")));
        }

        @Test
        void anInvalidSpecIsRefused() {
            fixture.given(requested(), provisioned())
                    .when(new UpdateResourceCommand(RESOURCE, ORG, nested(9), 1, USER))
                    .expectExceptionDetails(rejection("validation_failed", 400, Map.of("problems", List.of(Map.of(
                            "field", "spec", "message", "must be nested at most 8 levels deep")))));
        }

        @Test
        void anotherOrganisationsResourceIsNotFound() {
            fixture.given(requested(), provisioned())
                    .when(new UpdateResourceCommand(RESOURCE, OTHER_ORG, SPEC2, 1, "bob"))
                    .expectExceptionDetails(rejection("resource_not_found", 404, Map.of()))
                    .expectNoEvents();
            fixture.given(requested(), provisioned())
                    .when(new DeprovisionResourceCommand(RESOURCE, OTHER_ORG, null, "bob"))
                    .expectExceptionDetails(rejection("resource_not_found", 404, Map.of()))
                    .expectNoEvents();
        }

        @Test
        void anUnknownResourceDoesNotExist() {
            fixture.givenNoPriorActivity()
                    .when(new UpdateResourceCommand("nope", ORG, SPEC2, 1, USER))
                    .expectException(AggregateNotFoundException.class);
        }
    }

    @Nested
    class Deprovisioning {

        @Test
        void aProvisionedResourceIsDeprovisionedAtTheNextRevisionWithItsProviderId() {
            fixture.given(requested(), provisioned())
                    .when(new DeprovisionResourceCommand(RESOURCE, ORG, null, USER))
                    .expectEventsMatching(payloadsMatching(exactSequenceOf(
                            payload(ResourceDeprovisioningRequestedEvent.class, e -> e.revision() == 2
                                    && PROVIDER_ID.equals(e.providerResourceId()) && e.dockId().equals(DOCK)
                                    && e.requestedBy().equals(USER)),
                            andNoMore())))
                    .expectResultMessagePayloadMatching(payload(OperationAccepted.class, r ->
                            r.state() == ResourceState.DEPROVISIONING && r.revision() == 2));
        }

        @Test
        void theExpectedRevisionIsCheckedWhenGiven() {
            fixture.given(requested(), provisioned())
                    .when(new DeprovisionResourceCommand(RESOURCE, ORG, 1L, USER))
                    .expectSuccessfulHandlerExecution();
            fixture.given(requested(), provisioned())
                    .when(new DeprovisionResourceCommand(RESOURCE, ORG, 7L, USER))
                    .expectExceptionDetails(rejection("stale_revision", 409, Map.of("current_revision", 1L)))
                    .expectNoEvents();
        }

        @Test
        void aFailedProvisioningIsDeprovisionedWithoutAProviderId() {
            fixture.given(requested(), new ResourceOperationFailedEvent(RESOURCE, ORG, OP1,
                            ResourceOperation.PROVISION, "refused", 1, 1, T0))
                    .when(new DeprovisionResourceCommand(RESOURCE, ORG, null, USER))
                    .expectEventsMatching(payloadsMatching(exactSequenceOf(
                            payload(ResourceDeprovisioningRequestedEvent.class, e -> e.revision() == 2
                                    && e.providerResourceId() == null), andNoMore())));
        }

        @Test
        void aResourceUnderWayOrGoneCannotBeDeprovisioned() {
            fixture.given(requested())
                    .when(new DeprovisionResourceCommand(RESOURCE, ORG, null, USER))
                    .expectExceptionDetails(rejection("invalid_state", 409, Map.of("state", "provisioning")));
            fixture.given(requested(), provisioned(), deprovisionRequested(PROVIDER_ID, 2))
                    .when(new DeprovisionResourceCommand(RESOURCE, ORG, null, USER))
                    .expectExceptionDetails(rejection("invalid_state", 409, Map.of("state", "deprovisioning")));
            fixture.given(requested(), provisioned(), deprovisionRequested(PROVIDER_ID, 2),
                            new ResourceDeprovisionedEvent(RESOURCE, ORG, OP3, 2, T0))
                    .when(new DeprovisionResourceCommand(RESOURCE, ORG, null, USER))
                    .expectExceptionDetails(rejection("invalid_state", 409, Map.of("state", "deprovisioned")));
            fixture.given(requested(), provisioned(), deprovisionRequested(PROVIDER_ID, 2),
                            new ResourceDeprovisionedEvent(RESOURCE, ORG, OP3, 2, T0))
                    .when(new UpdateResourceCommand(RESOURCE, ORG, SPEC2, 2, USER))
                    .expectExceptionDetails(rejection("invalid_state", 409, Map.of("state", "deprovisioned")));
        }
    }

    @Nested
    class ProcessReports {

        private final Instant next = T0.plusSeconds(2);

        @Test
        void aFailedAttemptOfTheCurrentOperationIsRecordedOnce() {
            fixture.given(requested())
                    .when(new RecordOperationAttemptFailureCommand(RESOURCE, ORG, OP1, 1, "timeout", next))
                    .expectEventsMatching(payloadsMatching(exactSequenceOf(
                            payload(ResourceOperationAttemptFailedEvent.class, e -> e.operationId().equals(OP1)
                                    && e.operation() == ResourceOperation.PROVISION && e.attempt() == 1
                                    && e.reason().equals("timeout") && e.nextAttemptAt().equals(next)),
                            andNoMore())));
            fixture.given(requested(), new ResourceOperationAttemptFailedEvent(RESOURCE, ORG, OP1,
                            ResourceOperation.PROVISION, 1, "timeout", next, T0))
                    .when(new RecordOperationAttemptFailureCommand(RESOURCE, ORG, OP1, 1, "timeout", next))
                    .expectSuccessfulHandlerExecution()
                    .expectNoEvents();
        }

        @Test
        void reportsAboutAnotherOperationAreIgnored() {
            fixture.given(requested())
                    .when(new RecordOperationAttemptFailureCommand(RESOURCE, ORG, "other", 1, "x", next))
                    .expectSuccessfulHandlerExecution().expectNoEvents();
            fixture.given(requested())
                    .when(new FailResourceOperationCommand(RESOURCE, ORG, "other", "x", 1))
                    .expectSuccessfulHandlerExecution().expectNoEvents();
            fixture.given(requested())
                    .when(new CompleteResourceOperationCommand(RESOURCE, ORG, "other", "p", Map.of()))
                    .expectSuccessfulHandlerExecution().expectNoEvents();
        }

        @Test
        void aCompletedProvisioningRecordsTheProviderResource() {
            fixture.given(requested())
                    .when(new CompleteResourceOperationCommand(RESOURCE, ORG, OP1, PROVIDER_ID,
                            Map.of("address", "10.0.0.1")))
                    .expectEventsMatching(payloadsMatching(exactSequenceOf(
                            payload(ResourceProvisionedEvent.class, e -> e.operationId().equals(OP1)
                                    && e.providerResourceId().equals(PROVIDER_ID) && e.revision() == 1
                                    && e.attributes().equals(Map.of("address", "10.0.0.1"))), andNoMore())));
        }

        @Test
        void aDuplicateCompletionIsIgnored() {
            fixture.given(requested(), provisioned())
                    .when(new CompleteResourceOperationCommand(RESOURCE, ORG, OP1, "mem-2", Map.of()))
                    .expectSuccessfulHandlerExecution()
                    .expectNoEvents();
            fixture.given(requested(), new ResourceOperationFailedEvent(RESOURCE, ORG, OP1,
                            ResourceOperation.PROVISION, "gave up", 5, 1, T0))
                    .when(new CompleteResourceOperationCommand(RESOURCE, ORG, OP1, "mem-2", Map.of()))
                    .expectSuccessfulHandlerExecution()
                    .expectNoEvents();
        }

        @Test
        void aCompletedUpdateReturnsToProvisionedAtItsRevision() {
            fixture.given(requested(), provisioned(), updateRequested())
                    .when(new CompleteResourceOperationCommand(RESOURCE, ORG, OP2, PROVIDER_ID, Map.of("g", "2")))
                    .expectEventsMatching(payloadsMatching(exactSequenceOf(
                            payload(ResourceUpdatedEvent.class, e -> e.operationId().equals(OP2) && e.revision() == 2
                                    && e.attributes().equals(Map.of("g", "2"))), andNoMore())));
            // and it is provisioned again: the next update starts from revision 2
            fixture.given(requested(), provisioned(), updateRequested(),
                            new ResourceUpdatedEvent(RESOURCE, ORG, OP2, 2, Map.of(), T0))
                    .when(new UpdateResourceCommand(RESOURCE, ORG, SPEC, 2, USER))
                    .expectEventsMatching(payloadsMatching(exactSequenceOf(
                            payload(ResourceUpdateRequestedEvent.class, e -> e.revision() == 3), andNoMore())));
        }

        @Test
        void aCompletedDeprovisioningEndsTheResource() {
            fixture.given(requested(), provisioned(), deprovisionRequested(PROVIDER_ID, 2))
                    .when(new CompleteResourceOperationCommand(RESOURCE, ORG, OP3, PROVIDER_ID, Map.of()))
                    .expectEventsMatching(payloadsMatching(exactSequenceOf(
                            payload(ResourceDeprovisionedEvent.class, e -> e.operationId().equals(OP3)
                                    && e.revision() == 2), andNoMore())));
        }

        @Test
        void aFailedOperationLeavesTheResourceFailedWithTheReason() {
            for (var given : List.of(List.<Object>of(requested()),
                    List.<Object>of(requested(), provisioned(), updateRequested()),
                    List.<Object>of(requested(), provisioned(), deprovisionRequested(PROVIDER_ID, 2)))) {
                String operationId = given.size() == 1 ? OP1 : given.get(2) instanceof ResourceUpdateRequestedEvent
                        ? OP2 : OP3;
                fixture.given(given)
                        .when(new FailResourceOperationCommand(RESOURCE, ORG, operationId, "invalid_spec: refused", 1))
                        .expectEventsMatching(payloadsMatching(exactSequenceOf(
                                payload(ResourceOperationFailedEvent.class, e -> e.operationId().equals(operationId)
                                        && e.reason().equals("invalid_spec: refused") && e.attempts() == 1
                                        && e.revision() == (given.size() == 1 ? 1 : 2)), andNoMore())));
            }
            // a failed resource can be deprovisioned (with its provider id, if the provisioning had made one)
            fixture.given(requested(), provisioned(), updateRequested(), new ResourceOperationFailedEvent(RESOURCE, ORG,
                            OP2, ResourceOperation.UPDATE, "x", 1, 2, T0))
                    .when(new DeprovisionResourceCommand(RESOURCE, ORG, 2L, USER))
                    .expectEventsMatching(payloadsMatching(exactSequenceOf(
                            payload(ResourceDeprovisioningRequestedEvent.class, e -> e.revision() == 3
                                    && PROVIDER_ID.equals(e.providerResourceId())), andNoMore())));
        }

        @Test
        void aVeryLongReasonIsShortened() {
            fixture.given(requested())
                    .when(new FailResourceOperationCommand(RESOURCE, ORG, OP1, "x".repeat(5000), 2))
                    .expectEventsMatching(payloadsMatching(exactSequenceOf(
                            payload(ResourceOperationFailedEvent.class, e -> e.reason().length() == 1000),
                            andNoMore())));
        }
    }

    /** A spec nested {@code levels} deep (the spec object itself is level 1). */
    static Map<String, Object> nested(int levels) {
        Map<String, Object> spec = new HashMap<>(Map.of("leaf", 1));
        for (int i = 1; i < levels; i++) {
            spec = new HashMap<>(Map.of("level", spec));
        }
        return spec;
    }
}
