package io.phasegate.command.resource;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * The docks and the provider of a command-service under test: dock {@code dock-1} of {@code acme} and {@code dock-g}
 * of {@code globex}, both on the in-memory provider {@code memory}. Primary, so that they win over the dock package's
 * own {@code DockConnections} once both are on the class path.
 */
@TestConfiguration(proxyBeanMethods = false)
public class ResourceTestBeans {

    @Bean
    @Primary
    public InMemoryDocks testDocks() {
        return new InMemoryDocks().register("acme", "dock-1", "memory").register("globex", "dock-g", "memory");
    }

    @Bean
    public InMemoryProvider memoryProvider() {
        return new InMemoryProvider("memory");
    }
}
