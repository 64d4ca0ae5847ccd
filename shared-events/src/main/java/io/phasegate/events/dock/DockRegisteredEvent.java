package io.phasegate.events.dock;

import java.time.Instant;
import java.util.Map;
import org.axonframework.serialization.Revision;

/** A dock was registered; its first credential version is encrypted (never plaintext). */
@Revision("1")
public record DockRegisteredEvent(String dockId, String orgId, String name, String provider,
                                  Map<String, String> settings, EncryptedCredential credential, String registeredBy,
                                  Instant registeredAt) {
    public DockRegisteredEvent {
        settings = settings == null ? Map.of() : Map.copyOf(settings);
    }
}
