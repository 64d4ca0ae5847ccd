package io.phasegate.command.resource;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the provisioning process calls providers ({@code phasegate.provisioning.*}, or the environment variables
 * {@code PHASEGATE_PROVISIONING_CALL_TIMEOUT}, {@code ..._MAX_ATTEMPTS}, {@code ..._INITIAL_BACKOFF},
 * {@code ..._MAX_BACKOFF}).
 *
 * @param callTimeout    the longest one provider call may take before it counts as a failed (retryable) attempt
 * @param maxAttempts    provider calls per operation before it fails for good
 * @param initialBackoff the pause after the first failed attempt; it doubles after each further one
 * @param maxBackoff     the longest pause between two attempts
 */
@ConfigurationProperties("phasegate.provisioning")
public record ProvisioningProperties(@DefaultValue("10s") Duration callTimeout,
                                     @DefaultValue("5") int maxAttempts,
                                     @DefaultValue("1s") Duration initialBackoff,
                                     @DefaultValue("30s") Duration maxBackoff) {

    public ProvisioningProperties {
        callTimeout = callTimeout == null ? Duration.ofSeconds(10) : callTimeout;
        initialBackoff = initialBackoff == null ? Duration.ofSeconds(1) : initialBackoff;
        maxBackoff = maxBackoff == null ? Duration.ofSeconds(30) : maxBackoff;
        if (callTimeout.isNegative() || callTimeout.isZero()) {
            throw new IllegalArgumentException("phasegate.provisioning.call-timeout must be positive");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("phasegate.provisioning.max-attempts must be at least 1");
        }
        if (initialBackoff.isNegative() || initialBackoff.isZero()) {
            throw new IllegalArgumentException("phasegate.provisioning.initial-backoff must be positive");
        }
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("phasegate.provisioning.max-backoff must not be below initial-backoff");
        }
    }

    /** The defaults: 10 s per call, 5 attempts, back-off from 1 s up to 30 s. */
    public static ProvisioningProperties defaults() {
        return new ProvisioningProperties(Duration.ofSeconds(10), 5, Duration.ofSeconds(1), Duration.ofSeconds(30));
    }
}
