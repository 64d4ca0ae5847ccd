package io.phasegate.events.resource;

import java.time.Instant;

/**
 * Query result: a resource as it was at a past position or time, folded from its stored events with the same fold
 * the provisioning projection uses (so at any position it equals what the projection held after that position).
 *
 * @param resource      the resource's fields at that point
 * @param operation     its current or last operation at that point, or {@code null}
 * @param asOfPosition  the position asked for, or {@code null}
 * @param asOfTime      the time asked for, or {@code null}
 * @param eventsApplied how many of the resource's events changed its state up to that point
 */
public record ResourceAsOfView(ResourceView resource, ProvisioningOperationView operation, Long asOfPosition,
                               Instant asOfTime, int eventsApplied) {
}
