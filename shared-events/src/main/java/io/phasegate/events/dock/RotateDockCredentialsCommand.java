package io.phasegate.events.dock;

import java.time.Duration;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Starts a credential rotation: the new credentials are encrypted as the next version and validated through the
 * adapter by the rotation process; only then do they become current.
 *
 * @param gracePeriod how long the previous credentials stay valid after the switch; {@code null} for the default
 */
public record RotateDockCredentialsCommand(@TargetAggregateIdentifier String dockId, String orgId,
                                           DockCredentials credentials, Duration gracePeriod, String requestedBy) {
}
