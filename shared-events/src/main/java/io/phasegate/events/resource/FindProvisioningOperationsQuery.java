package io.phasegate.events.resource;

/**
 * listProvisioningOperations: an organisation's provisioning operations, newest first.
 *
 * @param resourceId only this resource's operations, or {@code null}; a resource that is not the organisation's
 *                   gives no result (not an empty page)
 * @param status     {@code in_progress}, {@code succeeded}, {@code failed}, or {@code null}
 * @param after      cursor: the {@code next_cursor} of the previous page, or {@code null}
 * @param limit      page size (1..200)
 */
public record FindProvisioningOperationsQuery(String orgId, String resourceId, String status, String after,
                                              int limit) {
}
