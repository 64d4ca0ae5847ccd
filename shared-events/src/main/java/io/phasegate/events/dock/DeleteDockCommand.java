package io.phasegate.events.dock;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/** Deletes a dock and destroys its data key (crypto-shredding): its stored ciphertext becomes unreadable. */
public record DeleteDockCommand(@TargetAggregateIdentifier String dockId, String orgId, String deletedBy) {
}
