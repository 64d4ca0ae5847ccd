package io.phasegate.events.resource;

/** getProvisionStatus: the provisioning status of one resource of an organisation. */
public record FindProvisionStatusQuery(String orgId, String resourceId) {
}
