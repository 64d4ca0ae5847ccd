package io.phasegate.events.task;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.axonframework.serialization.Revision;

/**
 * The task moved from {@code fromPhase} to {@code toPhase}. {@code artifacts} are the documents submitted as
 * evidence (auditors see what governed the change); {@code warnings} are the violations that permissive
 * enforcement let pass (empty in strict mode). A new phase token of {@code tokenGeneration} was issued with it
 * ({@code tokenId} is its {@code jti}; the token itself is never part of an event).
 */
@Revision("1")
public record TaskTransitionedEvent(String taskId, String orgId, String agentId, String workflowId,
                                    int workflowVersion, String fromPhase, String toPhase,
                                    Map<String, Object> artifacts, List<TransitionBlocker> warnings,
                                    long tokenGeneration, String tokenId, Instant tokenExpiresAt,
                                    Instant transitionedAt) {
}
