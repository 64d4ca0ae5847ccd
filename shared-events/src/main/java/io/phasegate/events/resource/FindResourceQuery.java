package io.phasegate.events.resource;

/** Finds one resource of an organisation; another organisation's resource is not found. */
public record FindResourceQuery(String orgId, String resourceId) {
}
