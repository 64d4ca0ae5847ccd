package io.phasegate.events.dock;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/** A dock was deleted and its data key destroyed. */
@Revision("1")
public record DockDeletedEvent(String dockId, String orgId, String dataKeyId, String deletedBy, Instant deletedAt) {
}
