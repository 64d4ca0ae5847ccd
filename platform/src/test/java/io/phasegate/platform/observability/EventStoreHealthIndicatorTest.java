package io.phasegate.platform.observability;

import static org.assertj.core.api.Assertions.assertThat;

import org.axonframework.axonserver.connector.AxonServerConfiguration;
import org.axonframework.axonserver.connector.AxonServerConnectionManager;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * The {@code eventStore} readiness contributor. With a JDBC event store it is UP (the database has its own
 * contributor); in the axonserver mode it follows the connection to Axon Server's context. Here Axon Server is
 * unreachable (nothing listens on the port), so the instance must not be ready; that it turns UP again after Axon
 * Server comes back was checked by hand against Axon Server SE (docs/adr/0013-axon-server-mode.md).
 */
class EventStoreHealthIndicatorTest {

    @Test
    void withTheJdbcEventStoreItIsUp() {
        Health health = new EventStoreHealthIndicator(null).health(true).block();
        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat(health.getDetails()).containsEntry("store", "jdbc");
    }

    @Test
    void withoutAConnectionToAxonServerItIsDown() {
        AxonServerConfiguration configuration = new AxonServerConfiguration();
        configuration.setServers("127.0.0.1:1"); // nothing listens there
        configuration.setContext("default");
        AxonServerConnectionManager manager = AxonServerConnectionManager.builder()
                .axonServerConfiguration(configuration)
                .build();
        try {
            EventStoreHealthIndicator indicator = new EventStoreHealthIndicator(manager);
            assertThat(indicator.health(true).block().getStatus()).isEqualTo(Status.DOWN);
            // also once the connector has tried (and failed) to open the context's connection
            manager.getConnection("default");
            Health health = indicator.health(true).block();
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(health.getDetails()).containsEntry("store", "axonserver").containsEntry("connected", false);
        } finally {
            manager.shutdown();
        }
    }
}
