package io.phasegate.query.provisioning;

import io.phasegate.events.resource.ResourceDeprovisionedEvent;
import io.phasegate.events.resource.ResourceDeprovisioningRequestedEvent;
import io.phasegate.events.resource.ResourceImportedEvent;
import io.phasegate.events.resource.ResourceOperation;
import io.phasegate.events.resource.ResourceOperationAttemptFailedEvent;
import io.phasegate.events.resource.ResourceOperationFailedEvent;
import io.phasegate.events.resource.ResourceProvisionedEvent;
import io.phasegate.events.resource.ResourceProvisioningRequestedEvent;
import io.phasegate.events.resource.ResourceUpdateRequestedEvent;
import io.phasegate.events.resource.ResourceUpdatedEvent;
import io.phasegate.platform.redaction.Redactor;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * The single definition of how the resource aggregate's events change a resource ({@link ResourceState}) and its
 * current provisioning operation. Pure: no storage, no clock.
 *
 * <p>Used by {@link ResourceProjection} to compute the rows it writes and by {@link ResourceAsOf}, which folds a
 * resource's stored events up to a past position or time; both therefore agree by construction.
 *
 * <p>Transitions (SPEC §2.7): a provisioning request creates the resource {@code provisioning} with a
 * {@code provision} operation {@code in_progress}; an import creates it {@code provisioned} (revision 1, no
 * operation). An update request makes it {@code updating} with the new spec and revision, a deprovisioning request
 * {@code deprovisioning}, each with a new operation. A failed attempt counts the attempt on the operation and notes
 * its reason and the next attempt's time (the resource's state stays). Success ({@code provisioned},
 * {@code updated}, {@code deprovisioned}) completes the operation ({@code succeeded}, one more attempt) and clears
 * the resource's last error; a final failure makes the resource {@code failed} with the reason and the operation
 * {@code failed}. An update's attributes replace the provider attributes when it reports any.
 *
 * <p>Idempotency rules shared with the projection: an event applies only to an existing resource of the same id and
 * organisation, only when its position is above the state's {@code position}, and an operation's outcome only to
 * the operation of the same id while it is in progress; a second creating event changes nothing. When nothing changes, {@link #apply}
 * returns the very same instance, so callers can tell with {@code ==}.
 */
public final class ResourceFold {

    /** The event types that can change a resource; other events never do. */
    public static final Set<Class<?>> EVENT_TYPES = Set.of(ResourceProvisioningRequestedEvent.class,
            ResourceImportedEvent.class, ResourceProvisionedEvent.class, ResourceUpdateRequestedEvent.class,
            ResourceUpdatedEvent.class, ResourceDeprovisioningRequestedEvent.class, ResourceDeprovisionedEvent.class,
            ResourceOperationAttemptFailedEvent.class, ResourceOperationFailedEvent.class);

    private static final String PROVISIONING = io.phasegate.events.resource.ResourceState.PROVISIONING.wire();
    private static final String PROVISIONED = io.phasegate.events.resource.ResourceState.PROVISIONED.wire();
    private static final String UPDATING = io.phasegate.events.resource.ResourceState.UPDATING.wire();
    private static final String DEPROVISIONING = io.phasegate.events.resource.ResourceState.DEPROVISIONING.wire();
    private static final String DEPROVISIONED = io.phasegate.events.resource.ResourceState.DEPROVISIONED.wire();
    private static final String FAILED = io.phasegate.events.resource.ResourceState.FAILED.wire();

    private ResourceFold() {
    }

    /**
     * The resource after {@code event}, stored at global {@code position}, is applied to {@code state} (null: the
     * resource does not exist yet). Returns {@code state} itself when the event does not change it.
     */
    public static ResourceState apply(ResourceState state, Object event, long position) {
        if (event instanceof ResourceProvisioningRequestedEvent e) {
            if (state != null) {
                return state;
            }
            ResourceState.Operation operation = new ResourceState.Operation(e.operationId(),
                    ResourceOperation.PROVISION.wire(), ResourceStatuses.IN_PROGRESS, e.revision(), 0, null, null,
                    e.requestedBy(), e.requestedAt(), position, null, position);
            return new ResourceState(e.resourceId(), e.orgId(), e.dockId(), wire(e.type()), e.name(), e.spec(),
                    e.source() == null ? null : e.source().wire(), null, PROVISIONING, e.revision(), Map.of(), null,
                    e.requestedBy(), e.requestedAt(), position, null, e.requestedAt(), null, operation, position);
        }
        if (event instanceof ResourceImportedEvent e) {
            if (state != null) {
                return state;
            }
            return new ResourceState(e.resourceId(), e.orgId(), e.dockId(), wire(e.type()), e.name(), e.spec(),
                    e.source() == null ? null : e.source().wire(), e.providerResourceId(), PROVISIONED, 1, Map.of(),
                    null, e.importedBy(), e.importedAt(), position, e.importedAt(), e.importedAt(), null, null,
                    position);
        }
        if (state == null || position <= state.position()) {
            return state;
        }
        if (event instanceof ResourceUpdateRequestedEvent e) {
            if (!of(state, e.resourceId(), e.orgId())) {
                return state;
            }
            return state.next(e.dockId() == null ? state.dockId() : e.dockId(), e.spec(), state.providerResourceId(),
                    UPDATING, e.revision(), state.attributes(), state.lastError(), state.provisionedAt(),
                    e.requestedAt(), state.deprovisionedAt(), requested(e.operationId(), ResourceOperation.UPDATE,
                            e.revision(), e.requestedBy(), e.requestedAt(), position), position);
        }
        if (event instanceof ResourceDeprovisioningRequestedEvent e) {
            if (!of(state, e.resourceId(), e.orgId())) {
                return state;
            }
            return state.next(e.dockId() == null ? state.dockId() : e.dockId(), state.spec(),
                    e.providerResourceId() == null ? state.providerResourceId() : e.providerResourceId(),
                    DEPROVISIONING, e.revision(), state.attributes(), state.lastError(), state.provisionedAt(),
                    e.requestedAt(), state.deprovisionedAt(), requested(e.operationId(),
                            ResourceOperation.DEPROVISION, e.revision(), e.requestedBy(), e.requestedAt(), position),
                    position);
        }
        if (event instanceof ResourceProvisionedEvent e) {
            if (!ofOperation(state, e.resourceId(), e.orgId(), e.operationId())) {
                return state;
            }
            return state.next(state.dockId(), state.spec(), e.providerResourceId(), PROVISIONED,
                    Math.max(state.revision(), e.revision()), e.attributes(), null, e.provisionedAt(),
                    e.provisionedAt(), state.deprovisionedAt(), state.operation().succeeded(e.provisionedAt(),
                            position), position);
        }
        if (event instanceof ResourceUpdatedEvent e) {
            if (!ofOperation(state, e.resourceId(), e.orgId(), e.operationId())) {
                return state;
            }
            return state.next(state.dockId(), state.spec(), state.providerResourceId(), PROVISIONED,
                    Math.max(state.revision(), e.revision()),
                    e.attributes().isEmpty() ? state.attributes() : e.attributes(), null, state.provisionedAt(),
                    e.updatedAt(), state.deprovisionedAt(), state.operation().succeeded(e.updatedAt(), position),
                    position);
        }
        if (event instanceof ResourceDeprovisionedEvent e) {
            if (!ofOperation(state, e.resourceId(), e.orgId(), e.operationId())) {
                return state;
            }
            return state.next(state.dockId(), state.spec(), state.providerResourceId(), DEPROVISIONED,
                    Math.max(state.revision(), e.revision()), state.attributes(), null, state.provisionedAt(),
                    e.deprovisionedAt(), e.deprovisionedAt(), state.operation().succeeded(e.deprovisionedAt(),
                            position), position);
        }
        if (event instanceof ResourceOperationAttemptFailedEvent e) {
            if (!ofOperation(state, e.resourceId(), e.orgId(), e.operationId())) {
                return state;
            }
            return state.next(state.dockId(), state.spec(), state.providerResourceId(), state.state(),
                    state.revision(), state.attributes(), state.lastError(), state.provisionedAt(), e.failedAt(),
                    state.deprovisionedAt(), state.operation().attemptFailed(e.attempt(), reason(e.reason()),
                            e.nextAttemptAt(), position), position);
        }
        if (event instanceof ResourceOperationFailedEvent e) {
            if (!ofOperation(state, e.resourceId(), e.orgId(), e.operationId())) {
                return state;
            }
            return state.next(state.dockId(), state.spec(), state.providerResourceId(), FAILED,
                    Math.max(state.revision(), e.revision()), state.attributes(), reason(e.reason()),
                    state.provisionedAt(), e.failedAt(), state.deprovisionedAt(),
                    state.operation().failed(e.attempts(), reason(e.reason()),
                            e.failedAt(), position), position);
        }
        return state;
    }

    private static ResourceState.Operation requested(String operationId, ResourceOperation kind, long revision,
                                                     String requestedBy, Instant requestedAt, long position) {
        return new ResourceState.Operation(operationId, kind.wire(), ResourceStatuses.IN_PROGRESS, revision, 0, null,
                null, requestedBy, requestedAt, position, null, position);
    }

    /** A provider's failure reason as kept: shortened, and redacted if it looks like it holds a credential. */
    private static String reason(String reason) {
        return Redactor.summaryText(reason);
    }

    private static String wire(io.phasegate.events.resource.ResourceType type) {
        return type == null ? null : type.wire();
    }

    /** Whether an event of resource {@code resourceId} of organisation {@code orgId} is one of this resource's. */
    private static boolean of(ResourceState state, String resourceId, String orgId) {
        return state.resourceId().equals(resourceId) && state.orgId().equals(orgId);
    }

    /** As {@link #of}, and about the resource's current operation while it is in progress. */
    private static boolean ofOperation(ResourceState state, String resourceId, String orgId, String operationId) {
        return of(state, resourceId, orgId) && state.operation() != null
                && state.operation().operationId().equals(operationId)
                && ResourceStatuses.IN_PROGRESS.equals(state.operation().status());
    }
}
