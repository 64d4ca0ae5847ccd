package io.phasegate.platform.observability;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.context.annotation.Bean;

/**
 * {@code livenessState} and {@code readinessState} as reactive indicators ({@link AvailabilityStateIndicator}) in
 * every Phasegate WebFlux application (the services and the gateway), in place of Spring Boot's blocking ones,
 * which WebFlux runs on the shared {@code boundedElastic} scheduler: the probes never queue behind blocking work.
 * Runs before Spring Boot's availability auto-configurations, which back off when these beans exist.
 */
@AutoConfiguration(beforeName = {
        "org.springframework.boot.health.autoconfigure.application.AvailabilityHealthContributorAutoConfiguration",
        "org.springframework.boot.health.autoconfigure.actuate.endpoint.AvailabilityProbesAutoConfiguration"},
        afterName = "org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration")
@ConditionalOnClass(name = "org.springframework.boot.health.contributor.ReactiveHealthIndicator")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
public class PhasegateProbesAutoConfiguration {

    @Bean(name = "livenessStateHealthIndicator")
    AvailabilityStateIndicator livenessStateHealthIndicator(ApplicationAvailability availability) {
        return AvailabilityStateIndicator.liveness(availability);
    }

    @Bean(name = "readinessStateHealthIndicator")
    AvailabilityStateIndicator readinessStateHealthIndicator(ApplicationAvailability availability) {
        return AvailabilityStateIndicator.readiness(availability);
    }
}
