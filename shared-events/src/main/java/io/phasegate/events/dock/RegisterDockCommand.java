package io.phasegate.events.dock;

import java.util.Map;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * Connects an organisation to a provider through an adapter. The credentials are validated through the adapter and
 * encrypted before the dock's first event is written.
 *
 * @param provider the adapter ({@code local}, {@code http}, ...)
 * @param settings non-secret adapter settings (for example {@code base_url})
 */
public record RegisterDockCommand(@TargetAggregateIdentifier String dockId, String orgId, String name, String provider,
                                  Map<String, String> settings, DockCredentials credentials, String registeredBy) {
    public RegisterDockCommand {
        settings = settings == null ? Map.of() : Map.copyOf(settings);
    }
}
