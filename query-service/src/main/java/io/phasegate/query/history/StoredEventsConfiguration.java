package io.phasegate.query.history;

import io.phasegate.platform.storage.StorageProperties;
import javax.sql.DataSource;
import org.axonframework.axonserver.connector.AxonServerConfiguration;
import org.axonframework.axonserver.connector.AxonServerConnectionManager;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The history's event source for the storage mode: the JDBC event store's table, or Axon Server. */
@Configuration(proxyBeanMethods = false)
class StoredEventsConfiguration {

    @Bean
    StoredEvents storedEvents(StorageProperties storage, DataSource dataSource,
                              ObjectProvider<AxonServerConnectionManager> axonServer,
                              ObjectProvider<AxonServerConfiguration> axonServerConfiguration,
                              @Value("${phasegate.history.page-size:5000}") int pageSize) {
        int page = Math.max(1, pageSize);
        if (storage.storageMode().jdbcEventStore()) {
            return new JdbcStoredEvents(dataSource, storage.eventTable("domain_event_entry"), page);
        }
        AxonServerConnectionManager connections = axonServer.getObject();
        String context = axonServerConfiguration.getObject().getContext();
        return new AxonServerStoredEvents(() -> connections.getConnection(context).eventChannel(), page);
    }
}
