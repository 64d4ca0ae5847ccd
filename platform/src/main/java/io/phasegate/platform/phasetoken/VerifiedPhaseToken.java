package io.phasegate.platform.phasetoken;

import java.time.Instant;

/**
 * The claims of a phase token whose signature, type, issuer, audience and lifetime have been verified. The caller
 * (the Task aggregate) still has to check that {@code taskId} is the task addressed, that {@code generation} equals
 * the task's current token generation, and that the task is still claimed by {@code agentId} (SPEC §2.3).
 */
public record VerifiedPhaseToken(String agentId, String taskId, String phase, long generation, String jti,
                                 Instant issuedAt, Instant expiresAt) {
}
