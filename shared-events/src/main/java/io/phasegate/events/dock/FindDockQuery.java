package io.phasegate.events.dock;

/** Finds one dock of an organisation (also a deleted one); another organisation's dock is not found. */
public record FindDockQuery(String orgId, String dockId) {
}
