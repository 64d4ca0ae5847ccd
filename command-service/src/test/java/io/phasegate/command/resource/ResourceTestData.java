package io.phasegate.command.resource;

import io.phasegate.events.resource.ProvisioningSource;
import io.phasegate.events.resource.ResourceDeprovisioningRequestedEvent;
import io.phasegate.events.resource.ResourceImportedEvent;
import io.phasegate.events.resource.ResourceProvisionedEvent;
import io.phasegate.events.resource.ResourceProvisioningRequestedEvent;
import io.phasegate.events.resource.ResourceType;
import io.phasegate.events.resource.ResourceUpdateRequestedEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.axonframework.messaging.Message;
import org.hamcrest.Description;
import org.hamcrest.Matcher;
import org.hamcrest.TypeSafeMatcher;

/** Ids, sample events of one resource's life, and a matcher for payloads with generated ids. */
final class ResourceTestData {

    static final String ORG = "acme";
    static final String OTHER_ORG = "globex";
    static final String DOCK = "dock-1";
    static final String RESOURCE = "res-1";
    static final String USER = "alice";
    static final String PROVIDER = "memory";
    static final String OP1 = "op-provision";
    static final String OP2 = "op-update";
    static final String OP3 = "op-deprovision";
    static final String PROVIDER_ID = "mem-1";
    static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
    static final Map<String, Object> SPEC = Map.of("size", "small", "replicas", 2, "tags", List.of("a", "b"));
    static final Map<String, Object> SPEC2 = Map.of("size", "large", "replicas", 3);

    private ResourceTestData() {
    }

    static ResourceProvisioningRequestedEvent requested() {
        return new ResourceProvisioningRequestedEvent(RESOURCE, ORG, DOCK, ResourceType.SERVER, "web-1", SPEC,
                ProvisioningSource.API, OP1, 1, USER, T0);
    }

    static ResourceProvisionedEvent provisioned() {
        return new ResourceProvisionedEvent(RESOURCE, ORG, OP1, PROVIDER_ID, 1, Map.of("address", "x"), T0);
    }

    static ResourceImportedEvent imported() {
        return new ResourceImportedEvent(RESOURCE, ORG, DOCK, ResourceType.DATABASE, "db-1", SPEC, PROVIDER_ID,
                ProvisioningSource.IMPORT, USER, T0);
    }

    static ResourceUpdateRequestedEvent updateRequested() {
        return new ResourceUpdateRequestedEvent(RESOURCE, ORG, DOCK, OP2, SPEC2, 2, USER, T0);
    }

    static ResourceDeprovisioningRequestedEvent deprovisionRequested(String providerResourceId, long revision) {
        return new ResourceDeprovisioningRequestedEvent(RESOURCE, ORG, DOCK, OP3, providerResourceId, revision, USER,
                T0);
    }

    /** A message (or payload) of this type whose payload satisfies the check. */
    static <T> Matcher<Object> payload(Class<T> type, Predicate<T> check) {
        return new TypeSafeMatcher<>() {
            @Override
            protected boolean matchesSafely(Object item) {
                Object payload = item instanceof Message<?> message ? message.getPayload() : item;
                return type.isInstance(payload) && check.test(type.cast(payload));
            }

            @Override
            public void describeTo(Description description) {
                description.appendText("a ").appendText(type.getSimpleName()).appendText(" as expected");
            }
        };
    }
}
