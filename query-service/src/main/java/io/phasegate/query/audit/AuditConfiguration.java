package io.phasegate.query.audit;

import org.axonframework.config.ConfigurerModule;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.PropagatingErrorHandler;
import org.axonframework.eventhandling.async.SequencingPolicy;
import org.axonframework.eventhandling.async.SequentialPerAggregatePolicy;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@value AuditTrailProjection#GROUP} processing group: its events are sequenced per organisation (every record
 * of a chain is appended by one thread, in order, however many segments the processor has), and a failing handler
 * is retried by the processor instead of being logged and skipped (Axon's default), since a skipped event would be
 * missing from the audit trail.
 */
@Configuration(proxyBeanMethods = false)
class AuditConfiguration {

    @Bean
    ConfigurerModule auditProcessingConfigurer() {
        return configurer -> configurer.eventProcessing(processing -> processing
                .registerSequencingPolicy(AuditTrailProjection.GROUP, config -> new PerOrganisation())
                .registerListenerInvocationErrorHandler(AuditTrailProjection.GROUP,
                        config -> PropagatingErrorHandler.instance()));
    }

    /** The organisation of the payload; events without one keep the default per-aggregate sequencing. */
    static final class PerOrganisation implements SequencingPolicy<EventMessage<?>> {

        private static final SequentialPerAggregatePolicy DEFAULT = SequentialPerAggregatePolicy.instance();

        @Override
        public Object getSequenceIdentifierFor(EventMessage<?> event) {
            String orgId = AuditPayloads.orgId(event.getPayload());
            return orgId != null ? "org:" + orgId : DEFAULT.getSequenceIdentifierFor(event);
        }
    }
}
