package io.phasegate.events.dock;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/** A version of a dock's credentials was decrypted, by whom and for what (SPEC §2.6). */
@Revision("1")
public record DockCredentialDecryptedEvent(String dockId, String orgId, int version, String actor, String purpose,
                                           String operationId, Instant decryptedAt) {
}
