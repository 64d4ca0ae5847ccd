package io.phasegate.events.task;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/**
 * An agent won the claim of a task. A phase token of generation {@code tokenGeneration} was issued with it (the
 * token itself is a credential and is never part of an event; {@code tokenId} is its {@code jti}).
 */
@Revision("1")
public record TaskClaimedEvent(String taskId, String orgId, String agentId, String phase, long tokenGeneration,
                               String tokenId, Instant tokenExpiresAt, Instant leaseExpiresAt, Instant claimedAt) {
}
