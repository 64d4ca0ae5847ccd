package io.phasegate.platform.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.AvailabilityProbesAutoConfiguration;
import org.springframework.boot.health.autoconfigure.application.AvailabilityHealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;

/**
 * Every Phasegate WebFlux application (services and gateway) gets reactive {@code livenessState} and
 * {@code readinessState} indicators instead of Spring Boot's blocking ones, and they report the application's
 * availability as Spring Boot's do. (That the probes then answer while Reactor's {@code boundedElastic} is full is
 * shown over HTTP by command-service's {@code ObservabilityIntegrationTest}.)
 */
class PhasegateProbesAutoConfigurationTest {

    private final ReactiveWebApplicationContextRunner runner = new ReactiveWebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ApplicationAvailabilityAutoConfiguration.class,
                    AvailabilityHealthContributorAutoConfiguration.class, AvailabilityProbesAutoConfiguration.class,
                    PhasegateProbesAutoConfiguration.class));

    @Test
    void theProbeIndicatorsAreReactiveAndFollowTheApplicationsAvailability() {
        runner.run(context -> {
            ReactiveHealthIndicator liveness = context.getBean("livenessStateHealthIndicator",
                    ReactiveHealthIndicator.class);
            ReactiveHealthIndicator readiness = context.getBean("readinessStateHealthIndicator",
                    ReactiveHealthIndicator.class);
            assertThat(liveness).isInstanceOf(AvailabilityStateIndicator.class);
            assertThat(readiness).isInstanceOf(AvailabilityStateIndicator.class);

            // before the application reports anything: not live, not ready (as Spring Boot's defaults)
            assertThat(status(liveness)).isEqualTo(Status.DOWN);
            assertThat(status(readiness)).isEqualTo(Status.OUT_OF_SERVICE);

            AvailabilityChangeEvent.publish(context, LivenessState.CORRECT);
            AvailabilityChangeEvent.publish(context, ReadinessState.ACCEPTING_TRAFFIC);
            assertThat(status(liveness)).isEqualTo(Status.UP);
            assertThat(status(readiness)).isEqualTo(Status.UP);

            // shutting down: refusing traffic
            AvailabilityChangeEvent.publish(context, ReadinessState.REFUSING_TRAFFIC);
            assertThat(status(readiness)).isEqualTo(Status.OUT_OF_SERVICE);
            AvailabilityChangeEvent.publish(context, LivenessState.BROKEN);
            assertThat(status(liveness)).isEqualTo(Status.DOWN);
        });
    }

    private static Status status(ReactiveHealthIndicator indicator) {
        return indicator.health().block(Duration.ofSeconds(1)).getStatus();
    }
}
