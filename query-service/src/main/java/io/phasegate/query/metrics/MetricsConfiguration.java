package io.phasegate.query.metrics;

import org.axonframework.config.ConfigurerModule;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Registers the per-organisation sequencing of the {@value WorkflowMetricsProjection#GROUP} processing group. */
@Configuration(proxyBeanMethods = false)
class MetricsConfiguration {

    @Bean
    ConfigurerModule workflowMetricsSequencing() {
        return configurer -> configurer.eventProcessing(processing -> processing
                .registerSequencingPolicy(WorkflowMetricsProjection.GROUP, config -> new MetricsSequencingPolicy()));
    }
}
