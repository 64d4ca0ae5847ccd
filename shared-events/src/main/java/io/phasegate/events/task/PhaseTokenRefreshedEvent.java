package io.phasegate.events.task;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/** A new phase token of {@code tokenGeneration} replaced the claimant's previous one (same phase). */
@Revision("1")
public record PhaseTokenRefreshedEvent(String taskId, String orgId, String agentId, String phase,
                                       long tokenGeneration, String tokenId, Instant tokenExpiresAt,
                                       Instant refreshedAt) {
}
