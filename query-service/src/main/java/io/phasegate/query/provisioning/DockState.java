package io.phasegate.query.provisioning;

import java.time.Instant;
import java.util.Map;

/**
 * A dock as {@link DockFold} computes it from the dock aggregate's events: the columns of a {@code docks} row. Holds
 * no credential material: no value, ciphertext, nonce or data key id (the events carry the encrypted credential;
 * only its version is kept).
 *
 * @param status             {@code active} or {@code deleted}
 * @param rotationStatus     {@code none}, {@code validating}, {@code completed} or {@code failed}
 * @param previousVersion    the version replaced by the last completed rotation until it is retired
 * @param lastFailureReason  the reason of the last failed rotation (never a credential value)
 * @param position           the global position of the last event folded in
 */
public record DockState(
        String dockId,
        String orgId,
        String name,
        String provider,
        Map<String, String> settings,
        String registeredBy,
        Instant registeredAt,
        long registeredPosition,
        String status,
        int credentialVersion,
        String rotationStatus,
        String rotationId,
        Integer candidateVersion,
        Integer previousVersion,
        Instant previousValidUntil,
        String lastFailureRotationId,
        Integer lastFailureVersion,
        String lastFailureReason,
        Instant lastFailureAt,
        String deletedBy,
        Instant deletedAt,
        Integer lastDecryptionVersion,
        String lastDecryptionActor,
        String lastDecryptionPurpose,
        String lastDecryptionOperationId,
        Instant lastDecryptedAt,
        long decryptionCount,
        Instant updatedAt,
        long position) {

    public DockState {
        settings = settings == null ? Map.of() : Map.copyOf(settings);
    }
}
