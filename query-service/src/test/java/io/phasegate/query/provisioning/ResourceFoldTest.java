package io.phasegate.query.provisioning;

import static org.assertj.core.api.Assertions.assertThat;

import io.phasegate.events.resource.ProvisioningSource;
import io.phasegate.events.resource.ResourceDeprovisionedEvent;
import io.phasegate.events.resource.ResourceDeprovisioningRequestedEvent;
import io.phasegate.events.resource.ResourceImportedEvent;
import io.phasegate.events.resource.ResourceOperation;
import io.phasegate.events.resource.ResourceOperationAttemptFailedEvent;
import io.phasegate.events.resource.ResourceOperationFailedEvent;
import io.phasegate.events.resource.ResourceProvisionedEvent;
import io.phasegate.events.resource.ResourceProvisioningRequestedEvent;
import io.phasegate.events.resource.ResourceType;
import io.phasegate.events.resource.ResourceUpdateRequestedEvent;
import io.phasegate.events.resource.ResourceUpdatedEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResourceFoldTest {

    static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");

    static ResourceProvisioningRequestedEvent requested(String id, String org) {
        return new ResourceProvisioningRequestedEvent(id, org, "dock-1", ResourceType.DATABASE, "db-main",
                Map.of("size", "small"), ProvisioningSource.API, "op-1", 1, "alice", T0);
    }

    @Test
    void aProvisioningRequestCreatesTheResourceWithAnOperationInProgress() {
        ResourceState s = ResourceFold.apply(null, requested("r-1", "acme"), 10);
        assertThat(s.resourceId()).isEqualTo("r-1");
        assertThat(s.orgId()).isEqualTo("acme");
        assertThat(s.dockId()).isEqualTo("dock-1");
        assertThat(s.type()).isEqualTo("database");
        assertThat(s.name()).isEqualTo("db-main");
        assertThat(s.spec()).isEqualTo(Map.of("size", "small"));
        assertThat(s.source()).isEqualTo("api");
        assertThat(s.state()).isEqualTo("provisioning");
        assertThat(s.revision()).isEqualTo(1);
        assertThat(s.providerResourceId()).isNull();
        assertThat(s.createdBy()).isEqualTo("alice");
        assertThat(s.createdAt()).isEqualTo(T0);
        assertThat(s.createdPosition()).isEqualTo(10);
        assertThat(s.updatedAt()).isEqualTo(T0);
        assertThat(s.position()).isEqualTo(10);
        assertThat(s.operation()).isEqualTo(new ResourceState.Operation("op-1", "provision", "in_progress", 1, 0,
                null, null, "alice", T0, 10, null, 10));
        // a second creation changes nothing
        assertThat(ResourceFold.apply(s, requested("r-1", "acme"), 11)).isSameAs(s);
        assertThat(ResourceFold.apply(s, new ResourceImportedEvent("r-1", "acme", "dock-1", ResourceType.SERVER, "x",
                Map.of(), "p-1", ProvisioningSource.IMPORT, "bob", T0), 12)).isSameAs(s);
    }

    @Test
    void provisioningRetriesThenSucceeds() {
        ResourceState s = ResourceFold.apply(null, requested("r-1", "acme"), 10);
        s = ResourceFold.apply(s, new ResourceOperationAttemptFailedEvent("r-1", "acme", "op-1",
                ResourceOperation.PROVISION, 1, "timeout", T0.plusSeconds(30), T0.plusSeconds(10)), 11);
        assertThat(s.state()).isEqualTo("provisioning");
        assertThat(s.operation().status()).isEqualTo("in_progress");
        assertThat(s.operation().attempts()).isEqualTo(1);
        assertThat(s.operation().lastError()).isEqualTo("timeout");
        assertThat(s.operation().nextAttemptAt()).isEqualTo(T0.plusSeconds(30));
        assertThat(s.lastError()).isNull();
        assertThat(s.updatedAt()).isEqualTo(T0.plusSeconds(10));

        s = ResourceFold.apply(s, new ResourceProvisionedEvent("r-1", "acme", "op-1", "prov-9", 1,
                Map.of("address", "10.0.0.1"), T0.plusSeconds(40)), 12);
        assertThat(s.state()).isEqualTo("provisioned");
        assertThat(s.providerResourceId()).isEqualTo("prov-9");
        assertThat(s.attributes()).isEqualTo(Map.of("address", "10.0.0.1"));
        assertThat(s.provisionedAt()).isEqualTo(T0.plusSeconds(40));
        assertThat(s.operation().status()).isEqualTo("succeeded");
        assertThat(s.operation().attempts()).isEqualTo(2);
        assertThat(s.operation().nextAttemptAt()).isNull();
        assertThat(s.operation().completedAt()).isEqualTo(T0.plusSeconds(40));
        assertThat(s.operation().position()).isEqualTo(12);
        assertThat(s.position()).isEqualTo(12);
        // the outcome of a completed operation is not applied again
        assertThat(ResourceFold.apply(s, new ResourceProvisionedEvent("r-1", "acme", "op-1", "prov-9", 1, Map.of(),
                T0.plusSeconds(41)), 13)).isSameAs(s);
    }

    @Test
    void updateAndDeprovisionGoThroughTheirStates() {
        ResourceState s = provisioned();
        s = ResourceFold.apply(s, new ResourceUpdateRequestedEvent("r-1", "acme", "dock-1", "op-2",
                Map.of("size", "large"), 2, "bob", T0.plusSeconds(60)), 20);
        assertThat(s.state()).isEqualTo("updating");
        assertThat(s.revision()).isEqualTo(2);
        assertThat(s.spec()).isEqualTo(Map.of("size", "large"));
        assertThat(s.operation().operationId()).isEqualTo("op-2");
        assertThat(s.operation().kind()).isEqualTo("update");
        assertThat(s.operation().requestedBy()).isEqualTo("bob");
        assertThat(s.operation().requestedPosition()).isEqualTo(20);

        s = ResourceFold.apply(s, new ResourceUpdatedEvent("r-1", "acme", "op-2", 2, Map.of("address", "10.0.0.2"),
                T0.plusSeconds(70)), 21);
        assertThat(s.state()).isEqualTo("provisioned");
        assertThat(s.attributes()).isEqualTo(Map.of("address", "10.0.0.2"));
        assertThat(s.updatedAt()).isEqualTo(T0.plusSeconds(70));
        assertThat(s.operation().status()).isEqualTo("succeeded");
        assertThat(s.operation().attempts()).isEqualTo(1);

        // an update that reports no attributes keeps the previous ones
        s = ResourceFold.apply(s, new ResourceUpdateRequestedEvent("r-1", "acme", "dock-1", "op-3",
                Map.of("size", "medium"), 3, "bob", T0.plusSeconds(80)), 22);
        s = ResourceFold.apply(s, new ResourceUpdatedEvent("r-1", "acme", "op-3", 3, Map.of(), T0.plusSeconds(81)), 23);
        assertThat(s.attributes()).isEqualTo(Map.of("address", "10.0.0.2"));

        s = ResourceFold.apply(s, new ResourceDeprovisioningRequestedEvent("r-1", "acme", "dock-1", "op-4", "prov-9",
                4, "carol", T0.plusSeconds(90)), 24);
        assertThat(s.state()).isEqualTo("deprovisioning");
        assertThat(s.revision()).isEqualTo(4);
        assertThat(s.operation().kind()).isEqualTo("deprovision");
        assertThat(s.operation().status()).isEqualTo("in_progress");

        s = ResourceFold.apply(s, new ResourceDeprovisionedEvent("r-1", "acme", "op-4", 4, T0.plusSeconds(95)), 25);
        assertThat(s.state()).isEqualTo("deprovisioned");
        assertThat(s.deprovisionedAt()).isEqualTo(T0.plusSeconds(95));
        assertThat(s.operation().status()).isEqualTo("succeeded");
        assertThat(s.operation().completedAt()).isEqualTo(T0.plusSeconds(95));
    }

    @Test
    void aFinalFailureMakesTheResourceFailedAndAFailedResourceCanBeDeprovisioned() {
        ResourceState s = ResourceFold.apply(null, requested("r-1", "acme"), 10);
        s = ResourceFold.apply(s, new ResourceOperationAttemptFailedEvent("r-1", "acme", "op-1",
                ResourceOperation.PROVISION, 1, "boom", T0.plusSeconds(5), T0.plusSeconds(1)), 11);
        s = ResourceFold.apply(s, new ResourceOperationFailedEvent("r-1", "acme", "op-1", ResourceOperation.PROVISION,
                "quota exceeded", 3, 1, T0.plusSeconds(20)), 12);
        assertThat(s.state()).isEqualTo("failed");
        assertThat(s.lastError()).isEqualTo("quota exceeded");
        assertThat(s.operation().status()).isEqualTo("failed");
        assertThat(s.operation().attempts()).isEqualTo(3);
        assertThat(s.operation().lastError()).isEqualTo("quota exceeded");
        assertThat(s.operation().nextAttemptAt()).isNull();
        assertThat(s.operation().completedAt()).isEqualTo(T0.plusSeconds(20));

        s = ResourceFold.apply(s, new ResourceDeprovisioningRequestedEvent("r-1", "acme", "dock-1", "op-2", null, 2,
                "alice", T0.plusSeconds(30)), 13);
        assertThat(s.state()).isEqualTo("deprovisioning");
        assertThat(s.lastError()).as("kept until an operation succeeds").isEqualTo("quota exceeded");
        s = ResourceFold.apply(s, new ResourceDeprovisionedEvent("r-1", "acme", "op-2", 2, T0.plusSeconds(31)), 14);
        assertThat(s.state()).isEqualTo("deprovisioned");
        assertThat(s.lastError()).isNull();
    }

    @Test
    void anImportStartsProvisionedAtRevisionOneWithoutOperation() {
        ResourceState s = ResourceFold.apply(null, new ResourceImportedEvent("r-2", "acme", "dock-1",
                ResourceType.DOMAIN, "example.org", Map.of("ttl", 300), "dom-1", ProvisioningSource.IMPORT, "bob", T0),
                7);
        assertThat(s.state()).isEqualTo("provisioned");
        assertThat(s.revision()).isEqualTo(1);
        assertThat(s.type()).isEqualTo("domain");
        assertThat(s.source()).isEqualTo("import");
        assertThat(s.providerResourceId()).isEqualTo("dom-1");
        assertThat(s.provisionedAt()).isEqualTo(T0);
        assertThat(s.createdBy()).isEqualTo("bob");
        assertThat(s.operation()).isNull();
        // an outcome without an operation changes nothing
        assertThat(ResourceFold.apply(s, new ResourceUpdatedEvent("r-2", "acme", "op-x", 2, Map.of(), T0), 8))
                .isSameAs(s);
    }

    @Test
    void redeliveredOlderForeignAndUnknownEventsChangeNothing() {
        ResourceState s = ResourceFold.apply(null, requested("r-1", "acme"), 10);
        ResourceProvisionedEvent provisioned = new ResourceProvisionedEvent("r-1", "acme", "op-1", "p", 1, Map.of(),
                T0);
        ResourceState after = ResourceFold.apply(s, provisioned, 12);
        assertThat(ResourceFold.apply(after, provisioned, 12)).as("redelivered").isSameAs(after);
        assertThat(ResourceFold.apply(s, provisioned, 10)).as("not above the position").isSameAs(s);
        assertThat(ResourceFold.apply(s, new ResourceProvisionedEvent("r-1", "other", "op-1", "p", 1, Map.of(), T0),
                12)).as("another organisation").isSameAs(s);
        assertThat(ResourceFold.apply(s, new ResourceProvisionedEvent("r-9", "acme", "op-1", "p", 1, Map.of(), T0),
                12)).as("another resource").isSameAs(s);
        assertThat(ResourceFold.apply(s, new ResourceProvisionedEvent("r-1", "acme", "op-9", "p", 1, Map.of(), T0),
                12)).as("another operation").isSameAs(s);
        assertThat(ResourceFold.apply(s, "unrelated", 13)).isSameAs(s);
        assertThat(ResourceFold.apply(null, provisioned, 12)).as("unknown resource").isNull();
    }

    @Test
    void reasonsThatLookLikeCredentialsAreRedacted() {
        ResourceState s = ResourceFold.apply(null, requested("r-1", "acme"), 10);
        s = ResourceFold.apply(s, new ResourceOperationAttemptFailedEvent("r-1", "acme", "op-1",
                ResourceOperation.PROVISION, 1, "401 for https://admin:hunter2@api.example.com/v1", T0, T0), 11);
        assertThat(s.operation().lastError()).isEqualTo("[redacted]");
    }

    @Test
    void everyEventTypeIsFolded() {
        assertThat(ResourceFold.EVENT_TYPES).hasSize(9);
        List<Object> events = List.of(requested("r-1", "acme"),
                new ResourceProvisionedEvent("r-1", "acme", "op-1", "p", 1, Map.of(), T0),
                new ResourceUpdateRequestedEvent("r-1", "acme", "dock-1", "op-2", Map.of(), 2, "b", T0),
                new ResourceOperationAttemptFailedEvent("r-1", "acme", "op-2", ResourceOperation.UPDATE, 1, "x", T0, T0),
                new ResourceOperationFailedEvent("r-1", "acme", "op-2", ResourceOperation.UPDATE, "x", 2, 2, T0),
                new ResourceDeprovisioningRequestedEvent("r-1", "acme", "dock-1", "op-3", "p", 3, "b", T0),
                new ResourceDeprovisionedEvent("r-1", "acme", "op-3", 3, T0));
        ResourceState s = null;
        long position = 1;
        for (Object event : events) {
            ResourceState next = ResourceFold.apply(s, event, position++);
            assertThat(next).as(event.getClass().getSimpleName()).isNotSameAs(s);
            assertThat(ResourceFold.EVENT_TYPES).contains(event.getClass());
            s = next;
        }
        assertThat(s.state()).isEqualTo("deprovisioned");
    }

    static ResourceState provisioned() {
        ResourceState s = ResourceFold.apply(null, requested("r-1", "acme"), 10);
        return ResourceFold.apply(s, new ResourceProvisionedEvent("r-1", "acme", "op-1", "prov-9", 1,
                Map.of("address", "10.0.0.1"), T0.plusSeconds(40)), 12);
    }
}
