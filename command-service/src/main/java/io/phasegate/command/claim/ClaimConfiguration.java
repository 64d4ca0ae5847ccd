package io.phasegate.command.claim;

import org.axonframework.config.ConfigurerModule;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Runs the claim lookup as a subscribing processor: in the appending transaction, never behind the event store. */
@Configuration(proxyBeanMethods = false)
class ClaimConfiguration {

    @Bean
    ConfigurerModule taskClaimLookupProcessor() {
        return configurer -> configurer.eventProcessing(processing ->
                processing.registerSubscribingEventProcessor(TaskClaimLookup.GROUP));
    }
}
