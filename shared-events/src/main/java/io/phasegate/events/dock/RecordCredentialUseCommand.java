package io.phasegate.events.dock;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Records that a dock's credentials are about to be decrypted: every decryption is an event (SPEC §2.6). The
 * decryption happens only after this command succeeded.
 *
 * @param purpose     what for ({@code validate}, {@code provision}, {@code update}, {@code deprovision}, ...)
 * @param operationId the rotation or provisioning operation it serves
 */
public record RecordCredentialUseCommand(@TargetAggregateIdentifier String dockId, String orgId, int version,
                                         String actor, String purpose, String operationId) {
}
