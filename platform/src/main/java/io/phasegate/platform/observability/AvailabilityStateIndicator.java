package io.phasegate.platform.observability;

import java.util.function.Supplier;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Status;
import reactor.core.publisher.Mono;

/**
 * The application's liveness or readiness state (as Spring Boot's {@code livenessState} and {@code readinessState}
 * indicators report it: {@code CORRECT} UP, {@code BROKEN} DOWN; {@code ACCEPTING_TRAFFIC} UP,
 * {@code REFUSING_TRAFFIC} OUT_OF_SERVICE) as a reactive indicator, answered on the calling thread.
 *
 * <p>Why not Spring Boot's own: a WebFlux application runs every blocking {@code HealthIndicator} on Reactor's
 * JVM-wide {@code boundedElastic} scheduler, so the probes would wait behind whatever blocking work occupies it.
 * Every contributor of the liveness and readiness groups here is reactive and never waits for that pool.
 */
public final class AvailabilityStateIndicator implements ReactiveHealthIndicator {

    private final Supplier<Health> state;

    private AvailabilityStateIndicator(Supplier<Health> state) {
        this.state = state;
    }

    /** {@code livenessState}: UP while the application is {@code CORRECT}, DOWN when {@code BROKEN}. */
    public static AvailabilityStateIndicator liveness(ApplicationAvailability availability) {
        return new AvailabilityStateIndicator(() -> availability.getLivenessState() == LivenessState.BROKEN
                ? Health.down().build() : Health.up().build());
    }

    /** {@code readinessState}: UP while {@code ACCEPTING_TRAFFIC}, OUT_OF_SERVICE when {@code REFUSING_TRAFFIC}. */
    public static AvailabilityStateIndicator readiness(ApplicationAvailability availability) {
        return new AvailabilityStateIndicator(() -> availability.getReadinessState() == ReadinessState.REFUSING_TRAFFIC
                ? Health.status(Status.OUT_OF_SERVICE).build() : Health.up().build());
    }

    @Override
    public Mono<Health> health() {
        return Mono.fromSupplier(state);
    }
}
