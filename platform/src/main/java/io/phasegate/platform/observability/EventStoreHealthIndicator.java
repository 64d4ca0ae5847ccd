package io.phasegate.platform.observability;

import org.axonframework.axonserver.connector.AxonServerConnectionManager;
import org.springframework.boot.health.contributor.AbstractReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import reactor.core.publisher.Mono;

/**
 * Readiness of the event store beyond the database (which Spring Boot's {@code db} indicator checks): in the
 * {@code axonserver} storage mode, whether this instance is connected to Axon Server's context; in the other modes
 * the events live in the database, so this is UP. Part of the readiness group (never of liveness: a lost connection
 * takes the instance out of the load balancer; it does not get it restarted).
 */
public class EventStoreHealthIndicator extends AbstractReactiveHealthIndicator {

    private final AxonServerConnectionManager axonServer;

    /** @param axonServer the connection manager in the axonserver mode, {@code null} in the others */
    public EventStoreHealthIndicator(AxonServerConnectionManager axonServer) {
        super("Event store readiness check failed");
        this.axonServer = axonServer;
    }

    @Override
    protected Mono<Health> doHealthCheck(Health.Builder builder) {
        // a look at the connection's state, no call: answered on the calling thread
        if (axonServer == null) {
            return Mono.just(builder.up().withDetail("store", "jdbc").build());
        }
        String context = axonServer.getDefaultContext();
        if (axonServer.isConnected(context)) {
            return Mono.just(builder.up().withDetail("store", "axonserver").build());
        }
        return Mono.just(builder.down().withDetail("store", "axonserver").withDetail("connected", false).build());
    }
}
