package io.phasegate.events.dock;

import java.time.Instant;
import java.util.Map;

/**
 * Query result: a dock as the provisioning read model holds it. Never carries a credential value, a ciphertext, a
 * nonce or a data key id: only which credential version is current and how the rotation stands.
 *
 * @param status             {@code active} or {@code deleted}
 * @param credentialVersion  the current credential version (1, 2, ...)
 * @param rotation           the state of the last rotation ({@code status = none} before the first)
 * @param lastDecryption     the last decryption of a credential version, or {@code null} if none yet
 * @param decryptionCount    how many decryptions were recorded
 * @param position           the global position of the last event applied
 */
public record DockView(String dockId, String orgId, String name, String provider, Map<String, String> settings,
                       String status, int credentialVersion, DockRotationView rotation, String registeredBy,
                       Instant registeredAt, String deletedBy, Instant deletedAt, DockDecryptionView lastDecryption,
                       long decryptionCount, Instant updatedAt, long position) {

    public static final String ACTIVE = "active";
    public static final String DELETED = "deleted";

    public DockView {
        settings = settings == null ? Map.of() : Map.copyOf(settings);
    }
}
