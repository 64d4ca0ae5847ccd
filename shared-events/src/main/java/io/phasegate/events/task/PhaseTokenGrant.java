package io.phasegate.events.task;

import java.time.Instant;

/**
 * What a successful claim answers (a command result, never an event: the token is a credential).
 *
 * @param token          the signed phase token
 * @param expiresAt      its expiry
 * @param generation     the task's token generation it carries
 * @param leaseExpiresAt when the claim expires unless renewed
 */
public record PhaseTokenGrant(String token, Instant expiresAt, long generation, Instant leaseExpiresAt) {

    @Override
    public String toString() {
        return "PhaseTokenGrant[token=<redacted>, expiresAt=" + expiresAt + ", generation=" + generation
                + ", leaseExpiresAt=" + leaseExpiresAt + "]";
    }
}
