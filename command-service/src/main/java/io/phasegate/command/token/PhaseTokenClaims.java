package io.phasegate.command.token;

import io.phasegate.platform.phasetoken.PhaseTokens;
import java.time.Duration;
import java.util.Objects;

/**
 * What a phase token asserts: the agent ({@code sub}) may act on this task in this phase, as long as the task's
 * token generation is still {@code generation}.
 *
 * @param agentId         the claiming agent, becomes {@code sub}
 * @param taskId          {@code task_id}
 * @param phase           the task's current phase, {@code phase}
 * @param generation      the task's token generation after this issue, {@code gen}
 * @param tokenTtlSeconds lifetime, the workflow's {@code token_ttl_seconds}; {@code exp = iat + ttl}
 */
public record PhaseTokenClaims(String agentId, String taskId, String phase, long generation, long tokenTtlSeconds) {

    public PhaseTokenClaims {
        requireText(agentId, "agentId");
        requireText(taskId, "taskId");
        requireText(phase, "phase");
        if (generation < 0) {
            throw new IllegalArgumentException("generation must not be negative");
        }
        if (tokenTtlSeconds <= 0 || tokenTtlSeconds > PhaseTokens.MAX_TTL.toSeconds()) {
            throw new IllegalArgumentException("tokenTtlSeconds must be between 1 and " + PhaseTokens.MAX_TTL.toSeconds());
        }
    }

    public Duration ttl() {
        return Duration.ofSeconds(tokenTtlSeconds);
    }

    private static void requireText(String value, String name) {
        if (Objects.requireNonNull(value, name).isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }
}
