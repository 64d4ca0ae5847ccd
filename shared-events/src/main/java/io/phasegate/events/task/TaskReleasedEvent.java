package io.phasegate.events.task;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/** The claiming agent released the task; it is claimable again and every token issued so far is void. */
@Revision("1")
public record TaskReleasedEvent(String taskId, String orgId, String agentId, Instant releasedAt) {
}
