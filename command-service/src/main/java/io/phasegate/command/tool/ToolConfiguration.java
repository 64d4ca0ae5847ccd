package io.phasegate.command.tool;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The tool policy evaluator, injected into the task's tool-call handler. */
@Configuration(proxyBeanMethods = false)
class ToolConfiguration {

    @Bean
    ToolPolicyEvaluator toolPolicyEvaluator() {
        return new ToolPolicyEvaluator();
    }
}
