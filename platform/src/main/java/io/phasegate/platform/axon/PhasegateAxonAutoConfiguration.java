package io.phasegate.platform.axon;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.Task;
import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import io.phasegate.events.serialization.MessageSerializers;
import io.phasegate.platform.storage.SchemaMigrator;
import io.phasegate.platform.storage.EventGapProperties;
import io.phasegate.platform.storage.StorageProperties;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.axonframework.eventhandling.TrackingEventProcessorConfiguration;
import java.util.concurrent.ScheduledExecutorService;
import javax.sql.DataSource;
import org.axonframework.common.jdbc.UnitOfWorkAwareConnectionProviderWrapper;
import org.axonframework.spring.jdbc.SpringDataSourceConnectionProvider;
import org.axonframework.spring.messaging.unitofwork.SpringTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;
import org.axonframework.axonserver.connector.AxonServerConnectionManager;
import org.axonframework.common.jdbc.ConnectionProvider;
import org.axonframework.config.EventProcessingConfiguration;
import org.springframework.beans.factory.ObjectProvider;
import org.axonframework.common.jdbc.PersistenceExceptionResolver;
import org.axonframework.common.transaction.TransactionManager;
import org.axonframework.config.ConfigurerModule;
import org.axonframework.eventhandling.tokenstore.TokenStore;
import org.axonframework.eventhandling.tokenstore.jdbc.JdbcTokenStore;
import org.axonframework.eventhandling.tokenstore.jdbc.TokenSchema;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.eventsourcing.eventstore.jdbc.EventSchema;
import org.axonframework.eventsourcing.eventstore.jdbc.JdbcEventStorageEngine;
import org.axonframework.modelling.saga.repository.jdbc.GenericSagaSqlSchema;
import org.axonframework.modelling.saga.repository.jdbc.SagaSchema;
import org.axonframework.modelling.saga.repository.jdbc.SagaSqlSchema;
import org.axonframework.serialization.RevisionResolver;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.AnnotationRevisionResolver;
import org.axonframework.serialization.jackson3.Jackson3Serializer;
import org.axonframework.springboot.autoconfig.AxonAutoConfiguration;
import org.axonframework.springboot.autoconfig.JdbcAutoConfiguration;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;

/**
 * Axon wiring shared by command-service and query-service (SPEC §1):
 * <ul>
 *   <li>Jackson 3 for messages, events, snapshots, sagas and tokens (XStream is not on the class path);</li>
 *   <li>Flyway-managed schemas (see {@link SchemaMigrator});</li>
 *   <li>the JDBC event storage engine on the shared event-store schema, tailed with a short fetch delay;</li>
 *   <li>a JDBC token store and saga store in the service's own schema;</li>
 *   <li>db-scheduler as the store of Axon's persistent deadline manager;</li>
 *   <li>pooled streaming event processors sized for two cores.</li>
 * </ul>
 * Runs before Axon's own auto-configuration, whose beans are all conditional on missing ones. The JDBC and
 * transaction beans are declared here because Axon 4.13's JDBC auto-configuration orders itself after Spring Boot 3's
 * data source auto-configuration, which moved in Boot 4, and so never sees the data source.
 */
@AutoConfiguration(
        afterName = {"org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
                "org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration"},
        before = {AxonAutoConfiguration.class, JdbcAutoConfiguration.class})
@ConditionalOnClass({Jackson3Serializer.class, DataSource.class})
@ConditionalOnProperty("phasegate.storage.service-schema")
@EnableConfigurationProperties({StorageProperties.class, EventGapProperties.class})
public class PhasegateAxonAutoConfiguration {

    @Bean
    SchemaMigrator phasegateSchemaMigrator(StorageProperties storage, Environment env) {
        return new SchemaMigrator(storage, env);
    }

    @Bean
    TransactionManager axonTransactionManager(PlatformTransactionManager transactionManager) {
        return new SpringTransactionManager(transactionManager);
    }

    @Bean
    ConnectionProvider connectionProvider(DataSource dataSource) {
        return new UnitOfWorkAwareConnectionProviderWrapper(new SpringDataSourceConnectionProvider(dataSource));
    }

    @Bean
    PersistenceExceptionResolver persistenceExceptionResolver() {
        return new DuplicateKeyResolver();
    }

    @Bean
    AxonProblemMapper axonProblemMapper() {
        return new AxonProblemMapper();
    }

    @Bean
    RevisionResolver revisionResolver() {
        return new AnnotationRevisionResolver();
    }

    /** The general serializer: sagas, tokens, deadlines and snapshots. */
    @Bean
    @Primary
    Serializer serializer(RevisionResolver revisionResolver) {
        return jackson(revisionResolver);
    }

    @Bean
    @Qualifier("messageSerializer")
    Serializer messageSerializer(RevisionResolver revisionResolver) {
        return jackson(revisionResolver);
    }

    @Bean
    @Qualifier("eventSerializer")
    Serializer eventSerializer(RevisionResolver revisionResolver) {
        return jackson(revisionResolver);
    }

    static Jackson3Serializer jackson(RevisionResolver revisionResolver) {
        return MessageSerializers.jackson3(revisionResolver);
    }

    @Bean
    @ConditionalOnExpression("'${phasegate.storage.mode:embedded}' != 'axonserver'")
    EventSchema eventSchema(StorageProperties storage) {
        return EventSchema.builder()
                .eventTable(storage.eventTable("domain_event_entry"))
                .snapshotTable(storage.eventTable("snapshot_event_entry"))
                .globalIndexColumn("global_index")
                .eventIdentifierColumn("event_identifier")
                .aggregateIdentifierColumn("aggregate_identifier")
                .sequenceNumberColumn("sequence_number")
                .typeColumn("type")
                .timestampColumn("time_stamp")
                .payloadTypeColumn("payload_type")
                .payloadRevisionColumn("payload_revision")
                .payloadColumn("payload")
                .metaDataColumn("meta_data")
                .build();
    }

    @Bean
    @ConditionalOnExpression("'${phasegate.storage.mode:embedded}' != 'axonserver'")
    EventStorageEngine eventStorageEngine(SchemaMigrator migrated,
                                          Serializer serializer,
                                          @Qualifier("eventSerializer") Serializer eventSerializer,
                                          PersistenceExceptionResolver persistenceExceptionResolver,
                                          ConnectionProvider connectionProvider,
                                          TransactionManager transactionManager,
                                          EventSchema eventSchema,
                                          EventGapProperties gaps) {
        return JdbcEventStorageEngine.builder()
                .snapshotSerializer(serializer)
                .eventSerializer(eventSerializer)
                .persistenceExceptionResolver(persistenceExceptionResolver)
                .connectionProvider(connectionProvider)
                .transactionManager(transactionManager)
                .schema(eventSchema)
                .dataType(byte[].class)
                .batchSize(500)
                .gapTimeout(gaps.timeoutMs())
                .maxGapOffset(gaps.maxOffset())
                .gapCleaningThreshold(gaps.cleaningThreshold())
                .build();
    }

    /**
     * The event store with a short fetch delay: other processes' events (query-service tails what command-service
     * appends) are seen within {@code phasegate.storage.event-fetch-delay-ms} instead of Axon's default second.
     */
    @Bean
    @ConditionalOnExpression("'${phasegate.storage.mode:embedded}' != 'axonserver'")
    EmbeddedEventStore eventStore(EventStorageEngine storageEngine, StorageProperties storage) {
        return EmbeddedEventStore.builder()
                .storageEngine(storageEngine)
                .fetchDelay(storage.eventFetchDelayMs())
                .cachedEvents(10_000)
                .build();
    }

    @Bean
    TokenSchema tokenSchema() {
        return TokenSchema.builder()
                .setTokenTable("token_entry")
                .setProcessorNameColumn("processor_name")
                .setSegmentColumn("segment")
                .setTokenColumn("token")
                .setTokenTypeColumn("token_type")
                .setTimestampColumn("timestamp")
                .setOwnerColumn("owner")
                .build();
    }

    @Bean
    TokenStore tokenStore(SchemaMigrator migrated, ConnectionProvider connectionProvider, Serializer serializer,
                          TokenSchema tokenSchema) {
        return JdbcTokenStore.builder()
                .connectionProvider(connectionProvider)
                .serializer(serializer)
                .schema(tokenSchema)
                .contentType(byte[].class)
                .claimTimeout(Duration.ofSeconds(10))
                .build();
    }

    @Bean
    SagaSqlSchema sagaSqlSchema() {
        return new GenericSagaSqlSchema(SagaSchema.builder()
                .sagaEntryTable("saga_entry")
                .revisionColumn("revision")
                .serializedSagaColumn("serialized_saga")
                .associationValueEntryTable("association_value_entry")
                .associationKeyColumn("association_key")
                .associationValueColumn("association_value")
                .sagaIdColumn("saga_id")
                .sagaTypeColumn("saga_type")
                .build());
    }

    /**
     * The store of the persistent deadline manager. Axon's db-scheduler auto-configuration contributes the
     * deadline task beans and builds the {@code DbSchedulerDeadlineManager} on top of this scheduler, which it
     * starts and stops with Axon's lifecycle.
     */
    @Bean
    @ConditionalOnProperty(value = "phasegate.deadlines.enabled", matchIfMissing = true)
    Scheduler dbScheduler(SchemaMigrator migrated, DataSource dataSource, List<Task<?>> tasks) {
        // recurring tasks (housekeeping) are started with the scheduler; the others (Axon's deadlines) are one-time
        List<RecurringTask<?>> recurring = tasks.stream()
                .filter(RecurringTask.class::isInstance).<RecurringTask<?>>map(t -> (RecurringTask<?>) t).toList();
        return Scheduler.create(dataSource, tasks.stream().filter(t -> !(t instanceof RecurringTask)).toList())
                .startTasks(recurring)
                .tableName("scheduled_tasks")
                .threads(2)
                .pollingInterval(Duration.ofMillis(500))
                .heartbeatInterval(Duration.ofSeconds(10))
                .enablePriority()
                .commitWhenAutocommitDisabled(true)
                .build();
    }

    /**
     * Starts db-scheduler once Axon is running (deadline handlers need Axon's configuration) and stops it first on
     * shutdown, waiting for running executions. Axon's auto-configuration builds the deadline manager on the scheduler
     * but leaves its lifecycle to the application.
     */
    @Bean
    @ConditionalOnProperty(value = "phasegate.deadlines.enabled", matchIfMissing = true)
    SmartLifecycle dbSchedulerLifecycle(Scheduler scheduler) {
        return new SmartLifecycle() {
            private volatile boolean running;

            @Override
            public void start() {
                scheduler.start();
                running = true;
            }

            @Override
            public void stop() {
                scheduler.stop();
                running = false;
            }

            @Override
            public boolean isRunning() {
                return running;
            }

            @Override
            public int getPhase() {
                return Integer.MAX_VALUE - 1000; // after Axon's components, before the web server stops
            }
        };
    }

    /**
     * In the axonserver mode: restarts the event processors waiting in Axon's error back-off (up to 60 s) as soon as
     * Axon Server is connected again after an outage, so the projections do not stay behind (see
     * {@link ProcessorRecovery}).
     */
    @Bean
    @ConditionalOnExpression("'${phasegate.storage.mode:embedded}' == 'axonserver'")
    @ConditionalOnClass(name = "org.axonframework.axonserver.connector.AxonServerConnectionManager")
    ProcessorRecovery axonServerProcessorRecovery(ObjectProvider<AxonServerConnectionManager> axonServer,
                                                  ObjectProvider<EventProcessingConfiguration> processing) {
        return new ProcessorRecovery(() -> {
            AxonServerConnectionManager manager = axonServer.getIfAvailable();
            return manager != null && manager.isConnected(manager.getDefaultContext());
        }, () -> processing.getObject().eventProcessors(), Duration.ofSeconds(1));
    }

    /**
     * In the JDBC modes the database is the event store: event processors that failed while it was unreachable are
     * restarted as soon as a connection is valid again, instead of after Axon's error back-off (doubling up to 60 s),
     * so the projections follow a database restart within about a second (see {@link ProcessorRecovery}).
     */
    @Bean
    @ConditionalOnExpression("'${phasegate.storage.mode:embedded}' != 'axonserver'")
    ProcessorRecovery databaseProcessorRecovery(ObjectProvider<DataSource> dataSource,
                                                ObjectProvider<EventProcessingConfiguration> processing) {
        return new ProcessorRecovery(() -> databaseReachable(dataSource.getIfAvailable()),
                () -> processing.getObject().eventProcessors(), Duration.ofSeconds(1));
    }

    /** Whether a pooled connection to the database answers within a second. */
    static boolean databaseReachable(DataSource dataSource) {
        if (dataSource == null) {
            return true; // no database: nothing to recover from
        }
        try (java.sql.Connection connection = dataSource.getConnection()) {
            return connection.isValid(1);
        } catch (java.sql.SQLException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Streaming event processors for every processing group, sized for a 2-core machine: one segment, batches of
     * 100, one thread each. {@code phasegate.processors.type} chooses the kind:
     * <ul>
     *   <li>{@code tracking} (default): blocks on the event stream, which the embedded store's producer wakes after
     *   each fetch ({@code phasegate.storage.event-fetch-delay-ms}), so events reach the query models within tens of
     *   milliseconds;</li>
     *   <li>{@code pooled}: Axon's pooled streaming processor; faster replays, but with the JDBC store it re-checks an
     *   idle stream only every 500 ms (it needs an availability callback the JDBC-backed stream does not offer).</li>
     * </ul>
     * See docs/adr/0003-storage-modes-and-schemas.md.
     */
    @Bean
    ConfigurerModule streamingProcessorsConfigurer(SchemaMigrator migrated, Environment env) {
        String type = env.getProperty("phasegate.processors.type", "tracking");
        if ("pooled".equals(type)) {
            return configurer -> configurer.eventProcessing(processing -> processing
                    .usingPooledStreamingEventProcessors((config, builder) -> builder
                            .initialSegmentCount(1)
                            .batchSize(100)
                            .tokenClaimInterval(2000)
                            .claimExtensionThreshold(2000)
                            .coordinatorExecutor(name -> singleThread(name + "-coordinator"))
                            .workerExecutor(name -> singleThread(name + "-worker"))));
        }
        if (!"tracking".equals(type)) {
            throw new IllegalStateException("phasegate.processors.type must be tracking or pooled, not '" + type + "'");
        }
        return configurer -> configurer.eventProcessing(processing -> processing
                .usingTrackingEventProcessors()
                .registerTrackingEventProcessorConfiguration(config -> TrackingEventProcessorConfiguration
                        .forSingleThreadedProcessing()
                        .andInitialSegmentsCount(1)
                        .andBatchSize(100)
                        .andEventAvailabilityTimeout(1, TimeUnit.SECONDS)
                        .andTokenClaimInterval(2, TimeUnit.SECONDS)));
    }

    private static ScheduledExecutorService singleThread(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }
}
