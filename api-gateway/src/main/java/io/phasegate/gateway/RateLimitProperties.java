package io.phasegate.gateway;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code phasegate.rate-limits.*}: requests per {@code period} per organisation (user and service requests) and per
 * agent (the phase-token endpoints, keyed by the token's {@code sub}), and the largest request body accepted.
 */
@ConfigurationProperties("phasegate.rate-limits")
public record RateLimitProperties(int perOrganisation, int perAgent, Duration period, long maxBodyBytes) {

    public RateLimitProperties {
        perOrganisation = perOrganisation <= 0 ? 300 : perOrganisation;
        perAgent = perAgent <= 0 ? 100 : perAgent;
        period = period == null ? Duration.ofSeconds(1) : period;
        maxBodyBytes = maxBodyBytes <= 0 ? 1024 * 1024 : maxBodyBytes;
    }
}
