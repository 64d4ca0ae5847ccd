package io.phasegate.events.dock;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/**
 * A rotation was rolled back: the candidate version is discarded and {@code currentVersion} stays current.
 *
 * @param reason why validation failed (never containing credential values)
 */
@Revision("1")
public record CredentialRotationFailedEvent(String dockId, String orgId, String rotationId, int rejectedVersion,
                                            int currentVersion, String reason, Instant failedAt) {
}
