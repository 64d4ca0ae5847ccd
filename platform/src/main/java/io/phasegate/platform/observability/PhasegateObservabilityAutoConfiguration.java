package io.phasegate.platform.observability;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;
import org.axonframework.axonserver.connector.AxonServerConnectionManager;
import org.axonframework.commandhandling.CommandBus;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.config.Configuration;
import org.axonframework.config.ConfigurerModule;
import org.axonframework.eventhandling.EventBus;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.correlation.CorrelationDataProvider;
import org.axonframework.messaging.correlation.MessageOriginProvider;
import org.axonframework.messaging.correlation.SimpleCorrelationDataProvider;
import org.axonframework.springboot.autoconfig.AxonAutoConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Metrics, correlation ids and readiness of the services (docs/operations.md). Only for the services (they set
 * {@code phasegate.storage.service-schema}); the gateway has its own correlation filter and no Axon.
 * <ul>
 *   <li>correlation: the HTTP filter, Axon's {@code MessageOriginProvider} plus a provider that copies
 *   {@value CorrelationIds#METADATA_KEY} from message to message, a dispatch interceptor that stamps commands sent for
 *   a request, and MDC interceptors on the command bus and every event processor;</li>
 *   <li>metrics (when Micrometer has a registry): the command timer, the event counters, the processor lag gauges;</li>
 *   <li>readiness: the {@code database} and {@code eventStore} health indicators (Axon Server connectivity in the
 *   axonserver mode), reactive like the {@code livenessState}/{@code readinessState} indicators of
 *   {@link PhasegateProbesAutoConfiguration}.</li>
 * </ul>
 * Runs before Axon's auto-configuration: its default correlation data provider backs off when one exists, so both
 * are declared here.
 */
@AutoConfiguration(before = AxonAutoConfiguration.class,
        afterName = {"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
                "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration"})
@ConditionalOnClass({AxonAutoConfiguration.class, CorrelationDataProvider.class})
@ConditionalOnProperty("phasegate.storage.service-schema")
public class PhasegateObservabilityAutoConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(PhasegateObservabilityAutoConfiguration.class);

    // --- correlation ids --------------------------------------------------------------------------------------------

    @Bean
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
    CorrelationIdWebFilter correlationIdWebFilter() {
        return new CorrelationIdWebFilter();
    }

    /** Axon's default (correlationId = the causing message, traceId = the chain's root); the audit trail reads it. */
    @Bean
    @ConditionalOnMissingBean(MessageOriginProvider.class)
    MessageOriginProvider messageOriginProvider() {
        return new MessageOriginProvider();
    }

    /** Copies the request's correlation id to every message a message causes. */
    @Bean
    CorrelationDataProvider correlationIdCorrelationDataProvider() {
        return new SimpleCorrelationDataProvider(CorrelationIds.METADATA_KEY);
    }

    /** The correlation id in the MDC while an event processor handles an event. */
    @Bean
    ConfigurerModule correlationMdcEventProcessorsConfigurer() {
        return configurer -> configurer.eventProcessing(processing -> processing
                .registerDefaultHandlerInterceptor((config, processorName) -> new CorrelationMdcInterceptor<>()));
    }

    /**
     * On the command bus: the dispatch interceptor (commands sent for a request carry its id), the MDC interceptor
     * and, with a meter registry, the command timer. Registered once on the bus the application dispatches to (in the
     * axonserver mode, Axon Server's bus, which hands them to its local segment).
     */
    @Bean
    SmartInitializingSingleton phasegateCommandBusInterceptors(ObjectProvider<CommandBus> commandBus,
                                                               ObjectProvider<MeterRegistry> meters) {
        return () -> {
            CommandBus bus = commandBus.getIfAvailable();
            if (bus == null) {
                return;
            }
            bus.registerDispatchInterceptor(new CorrelationDispatchInterceptor<CommandMessage<?>>());
            bus.registerHandlerInterceptor(new CorrelationMdcInterceptor<CommandMessage<?>>());
            meters.ifAvailable(registry -> bus.registerHandlerInterceptor(new CommandMetricsInterceptor(registry)));
        };
    }

    // --- metrics ----------------------------------------------------------------------------------------------------

    /** Counts the events this instance publishes (after their commit). */
    @Bean
    SmartInitializingSingleton phasegateEventMetrics(ObjectProvider<EventBus> eventBus,
                                                     ObjectProvider<MeterRegistry> meters) {
        return () -> meters.ifAvailable(registry -> {
            EventBus bus = eventBus.getIfAvailable();
            if (bus != null) {
                bus.subscribe(new EventMetrics(registry));
            }
        });
    }

    /** One lag gauge per streaming processor, registered once the context (and with it Axon) has started. */
    @Bean
    ApplicationListener<ApplicationStartedEvent> phasegateProcessorLagMetrics(ObjectProvider<Configuration> axon,
                                                                      ObjectProvider<EventStore> eventStore,
                                                                      ObjectProvider<MeterRegistry> meters) {
        return started -> meters.ifAvailable(registry -> {
            Configuration configuration = axon.getIfAvailable();
            EventStore store = eventStore.getIfAvailable();
            if (configuration == null || store == null) {
                return;
            }
            Map<String, StreamingEventProcessor> processors = ProcessorLagMetrics.streaming(
                    () -> configuration.eventProcessingConfiguration().eventProcessors());
            new ProcessorLagMetrics(store, Duration.ofSeconds(1)).register(registry, processors);
            LOG.info("Event processor lag gauges ({}) for {}", ProcessorLagMetrics.METER, processors.keySet());
        });
    }

    // --- readiness --------------------------------------------------------------------------------------------------

    /** The {@code database} contributor of the readiness group: a valid connection within 2 s. */
    @Bean(destroyMethod = "close")
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    @ConditionalOnBean(DataSource.class)
    DatabaseHealthIndicator databaseHealthIndicator(DataSource dataSource) {
        return new DatabaseHealthIndicator(dataSource, Duration.ofSeconds(2));
    }

    /** The {@code eventStore} contributor of the readiness group (management.endpoint.health.group.readiness). */
    @Bean
    @ConditionalOnClass(name = {"org.springframework.boot.health.contributor.HealthIndicator",
            "org.axonframework.axonserver.connector.AxonServerConnectionManager"})
    EventStoreHealthIndicator eventStoreHealthIndicator(ObjectProvider<AxonServerConnectionManager> axonServer,
                                                        Environment env) {
        boolean axonServerMode = "axonserver".equalsIgnoreCase(env.getProperty("phasegate.storage.mode", "embedded"));
        return new EventStoreHealthIndicator(axonServerMode ? axonServer.getIfAvailable() : null);
    }
}
