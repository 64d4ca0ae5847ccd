package io.phasegate.command.gate;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The artifact validator and gate evaluator as beans, one of each (both compile once and cache), injected into the
 * task's transition handler.
 */
@Configuration(proxyBeanMethods = false)
class GateConfiguration {

    @Bean
    ArtifactValidator artifactValidator() {
        return new ArtifactValidator();
    }

    @Bean
    GateEvaluator gateEvaluator() {
        return new GateEvaluator();
    }
}
