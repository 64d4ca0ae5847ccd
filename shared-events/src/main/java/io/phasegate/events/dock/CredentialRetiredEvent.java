package io.phasegate.events.dock;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/** A previous credential version's grace period ended; it is no longer valid. */
@Revision("1")
public record CredentialRetiredEvent(String dockId, String orgId, int version, Instant retiredAt) {
}
