package io.phasegate.events.dock;

import java.time.Instant;

/**
 * The state of a dock's credential rotation.
 *
 * @param status             {@code none} (never rotated), {@code validating} (a candidate waits for validation),
 *                           {@code completed} (the last candidate became current) or {@code failed} (the last
 *                           candidate was rejected; the current version stayed)
 * @param rotationId         the last rotation's id, or {@code null}
 * @param candidateVersion   the last rotation's candidate version, or {@code null}
 * @param previousVersion    the version replaced by the last completed rotation while it is still valid (its grace
 *                           period), or {@code null} once retired
 * @param previousValidUntil until when {@code previousVersion} stays valid, or {@code null}
 * @param lastFailure        the last failed rotation, or {@code null}
 */
public record DockRotationView(String status, String rotationId, Integer candidateVersion, Integer previousVersion,
                               Instant previousValidUntil, RotationFailureView lastFailure) {

    public static final String NONE = "none";
    public static final String VALIDATING = "validating";
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";

    /** A failed rotation: which one, which candidate version was rejected, why (never a credential value), when. */
    public record RotationFailureView(String rotationId, Integer rejectedVersion, String reason, Instant failedAt) {
    }
}
