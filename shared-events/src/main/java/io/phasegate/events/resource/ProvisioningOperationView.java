package io.phasegate.events.resource;

import java.time.Instant;

/**
 * One provider operation of a resource, as the provisioning process runs it.
 *
 * @param kind          a {@link ResourceOperation} wire value: {@code provision}, {@code update}, {@code deprovision}
 * @param status        {@code in_progress}, {@code succeeded} or {@code failed}
 * @param revision      the resource revision the operation applies
 * @param attempts      provider calls made so far (failed ones, plus the successful one)
 * @param lastError     the reason of the last failed attempt (or of the final failure), or {@code null}
 * @param nextAttemptAt when the next attempt is due while the operation is in progress after a failed attempt
 * @param completedAt   when it succeeded or failed for good, or {@code null}
 * @param position      the global position of the last event applied to it
 */
public record ProvisioningOperationView(String operationId, String resourceId, String orgId, String dockId,
                                        String kind, String status, long revision, int attempts, String lastError,
                                        Instant nextAttemptAt, String requestedBy, Instant requestedAt,
                                        Instant completedAt, long position) {

    public static final String IN_PROGRESS = "in_progress";
    public static final String SUCCEEDED = "succeeded";
    public static final String FAILED = "failed";
}
