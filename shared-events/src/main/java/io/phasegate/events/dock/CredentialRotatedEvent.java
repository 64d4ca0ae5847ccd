package io.phasegate.events.dock;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/**
 * The candidate credentials were validated and are now current; the previous version stays valid until
 * {@code previousValidUntil}, when a deadline retires it.
 */
@Revision("1")
public record CredentialRotatedEvent(String dockId, String orgId, String rotationId, int currentVersion,
                                     int previousVersion, Instant previousValidUntil, Instant rotatedAt) {
}
