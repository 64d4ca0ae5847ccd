package io.phasegate.events.resource;

import java.time.Instant;

/**
 * Query result of getProvisionStatus: where a resource stands and its current (or last) operation.
 *
 * @param operation the current or last operation (attempts, error, next attempt), or {@code null} if none
 */
public record ProvisionStatusView(String resourceId, String orgId, String dockId, String state, long revision,
                                  String providerResourceId, String lastError, ProvisioningOperationView operation,
                                  Instant updatedAt, long position) {
}
