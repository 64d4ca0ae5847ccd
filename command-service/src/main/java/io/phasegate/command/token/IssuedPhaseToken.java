package io.phasegate.command.token;

import java.time.Instant;

/**
 * A freshly signed phase token. {@link #toString()} leaves the token itself out, so it cannot end up in logs.
 *
 * @param token     the compact JWT handed to the agent
 * @param kid       the key that signed it
 * @param jti       its unique id
 * @param issuedAt  {@code iat} (whole seconds)
 * @param expiresAt {@code exp} (whole seconds), the {@code expires_at} of the API
 */
public record IssuedPhaseToken(String token, String kid, String jti, Instant issuedAt, Instant expiresAt) {

    @Override
    public String toString() {
        return "IssuedPhaseToken[kid=" + kid + ", jti=" + jti + ", issuedAt=" + issuedAt + ", expiresAt=" + expiresAt
                + ", token=<redacted>]";
    }
}
