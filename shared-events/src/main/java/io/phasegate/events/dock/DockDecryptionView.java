package io.phasegate.events.dock;

import java.time.Instant;

/** The last decryption of a dock's credentials: which version, by whom, for what, in which operation, when. */
public record DockDecryptionView(int version, String actor, String purpose, String operationId,
                                 Instant decryptedAt) {
}
