package io.phasegate.command.dock;

import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Settings of dock credentials: the default grace period of a rotation's previous version
 * ({@code phasegate.credentials.rotation-grace}, 15 minutes) and the time-out of a credential validation through an
 * adapter ({@code phasegate.credentials.validation-timeout}, 30 seconds).
 */
@Component
public class DockCredentialSettings {

    /** The longest grace period a rotation may ask for. */
    public static final Duration MAX_GRACE = Duration.ofDays(7);

    private final Duration rotationGrace;
    private final Duration validationTimeout;

    public DockCredentialSettings(@Value("${phasegate.credentials.rotation-grace:PT15M}") Duration rotationGrace,
                                  @Value("${phasegate.credentials.validation-timeout:PT30S}") Duration validationTimeout) {
        if (rotationGrace.isNegative() || rotationGrace.compareTo(MAX_GRACE) > 0) {
            throw new IllegalStateException("phasegate.credentials.rotation-grace must be between 0 and 7 days");
        }
        if (validationTimeout.isNegative() || validationTimeout.isZero()) {
            throw new IllegalStateException("phasegate.credentials.validation-timeout must be positive");
        }
        this.rotationGrace = rotationGrace;
        this.validationTimeout = validationTimeout;
    }

    public Duration rotationGrace() {
        return rotationGrace;
    }

    public Duration validationTimeout() {
        return validationTimeout;
    }
}
