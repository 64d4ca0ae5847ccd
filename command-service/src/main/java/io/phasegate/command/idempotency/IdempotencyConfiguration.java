package io.phasegate.command.idempotency;

import org.axonframework.commandhandling.CommandBus;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/** Installs the {@link IdempotencyCommitMarker} on the command bus (in the axonserver mode, on its local segment). */
@Configuration(proxyBeanMethods = false)
class IdempotencyConfiguration {

    @Bean
    SmartInitializingSingleton idempotencyCommitMarker(ObjectProvider<CommandBus> commandBus, JdbcTemplate jdbc) {
        return () -> {
            CommandBus bus = commandBus.getIfAvailable();
            if (bus != null) {
                bus.registerHandlerInterceptor(new IdempotencyCommitMarker(jdbc));
            }
        };
    }
}
