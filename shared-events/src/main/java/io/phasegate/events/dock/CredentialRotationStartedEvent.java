package io.phasegate.events.dock;

import java.time.Duration;
import java.time.Instant;
import org.axonframework.serialization.Revision;

/** A rotation began: the candidate credentials (encrypted) wait for validation through the adapter. */
@Revision("1")
public record CredentialRotationStartedEvent(String dockId, String orgId, String rotationId,
                                             EncryptedCredential candidate, int currentVersion, Duration gracePeriod,
                                             String requestedBy, Instant startedAt) {
}
