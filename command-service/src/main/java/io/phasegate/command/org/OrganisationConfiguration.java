package io.phasegate.command.org;

import org.axonframework.config.ConfigurerModule;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Runs the organisation access table as a subscribing processor: in the appending transaction, never behind the
 * event store, so a change of membership applies to the very next request.
 */
@Configuration(proxyBeanMethods = false)
class OrganisationConfiguration {

    @Bean
    ConfigurerModule organisationAccessProcessor() {
        return configurer -> configurer.eventProcessing(processing ->
                processing.registerSubscribingEventProcessor(OrganisationAccessTable.GROUP));
    }
}
