package io.phasegate.platform.axon;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.axonframework.common.stream.BlockingStream;
import org.axonframework.common.transaction.NoTransactionManager;
import org.axonframework.eventhandling.EventMessageHandler;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventhandling.SimpleEventHandlerInvoker;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingEventProcessor;
import org.axonframework.eventhandling.TrackingEventProcessorConfiguration;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventhandling.tokenstore.inmemory.InMemoryTokenStore;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.inmemory.InMemoryEventStorageEngine;
import org.axonframework.messaging.StreamableMessageSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A real tracking processor over an event store that is unreachable for a while (its stream fails, as Axon Server's
 * does while it is away). Axon's retry waits 1, 2, 4, 8 s...; after three failed attempts the next one is 8 s away, so
 * a processor that handles the waiting event within 5 s of the store's return was restarted by
 * {@link ProcessorRecovery}.
 */
class ProcessorRecoveryTest {

    private final EmbeddedEventStore store = EmbeddedEventStore.builder()
            .storageEngine(new InMemoryEventStorageEngine()).build();
    private final AtomicBoolean down = new AtomicBoolean(true);
    private final List<Object> handled = new CopyOnWriteArrayList<>();
    private final TrackingEventProcessor processor = TrackingEventProcessor.builder()
            .name("projection")
            .eventHandlerInvoker(SimpleEventHandlerInvoker.builder()
                    .eventHandlers((EventMessageHandler) event -> handled.add(event.getPayload())).build())
            .messageSource(new FlakySource())
            .tokenStore(new InMemoryTokenStore())
            .transactionManager(NoTransactionManager.INSTANCE)
            .trackingEventProcessorConfiguration(TrackingEventProcessorConfiguration.forSingleThreadedProcessing()
                    .andTokenClaimInterval(100, TimeUnit.MILLISECONDS)
                    .andEventAvailabilityTimeout(100, TimeUnit.MILLISECONDS))
            .build();
    private ProcessorRecovery recovery;

    @AfterEach
    void stop() {
        if (recovery != null) {
            recovery.stop();
        }
        processor.shutDown();
        store.shutDown();
    }

    @Test
    void aProcessorWaitingToRetryResumesAsSoonAsTheStoreIsBack() throws Exception {
        recovery = new ProcessorRecovery(() -> !down.get(), () -> Map.of("projection", processor),
                Duration.ofMillis(100));
        recovery.start();
        store.publish(GenericEventMessage.asEventMessage("written during the outage"));
        processor.start();
        await(() -> ProcessorRecovery.inError(processor), Duration.ofSeconds(10), "the processor fails while the store is away");
        Thread.sleep(8_000); // attempts at +1 s and +3 s and +7 s fail too; Axon's next one is at +15 s

        Instant back = Instant.now();
        down.set(false);
        await(() -> !handled.isEmpty(), Duration.ofSeconds(5), "the event handled within 5 s of the store's return");
        assertThat(handled).containsExactly("written during the outage");
        assertThat(ProcessorRecovery.inError(processor)).isFalse();
        assertThat(Duration.between(back, Instant.now())).isLessThan(Duration.ofSeconds(5));
    }

    /** The JDBC modes' connection check: a pooled connection that answers, none once the database is gone. */
    @Test
    void theDatabaseCheckFollowsTheDatabase() {
        com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
        config.setJdbcUrl("jdbc:h2:mem:recovery-check;DB_CLOSE_DELAY=-1");
        config.setConnectionTimeout(250);
        com.zaxxer.hikari.HikariDataSource pool = new com.zaxxer.hikari.HikariDataSource(config);
        try {
            assertThat(PhasegateAxonAutoConfiguration.databaseReachable(pool)).isTrue();
            new org.springframework.jdbc.core.JdbcTemplate(pool).execute("SHUTDOWN");
            assertThat(PhasegateAxonAutoConfiguration.databaseReachable(pool)).isFalse();
        } finally {
            pool.close();
        }
        assertThat(PhasegateAxonAutoConfiguration.databaseReachable(pool)).isFalse();
        assertThat(PhasegateAxonAutoConfiguration.databaseReachable(null)).isTrue();
    }

    @Test
    void onlyTheFirstCheckAfterAnOutageRestartsTheProcessorsInError() throws Exception {
        AtomicBoolean link = new AtomicBoolean(true); // the connection to the store; the store itself stays away
        recovery = new ProcessorRecovery(link::get, () -> Map.of("projection", processor), Duration.ofHours(1));
        processor.start();
        await(() -> ProcessorRecovery.inError(processor), Duration.ofSeconds(10), "the processor fails");
        assertThat(recovery.check()).as("in error, but no outage seen (a failing handler, the database)").isZero();
        link.set(false);
        assertThat(recovery.check()).as("outage").isZero();
        link.set(true);
        assertThat(recovery.check()).as("back: the processor in error is restarted").isEqualTo(1);
        assertThat(recovery.check()).as("once").isZero();
    }

    private static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** The store's stream fails while {@code down}. */
    private final class FlakySource implements StreamableMessageSource<TrackedEventMessage<?>> {

        @Override
        public BlockingStream<TrackedEventMessage<?>> openStream(TrackingToken trackingToken) {
            if (down.get()) {
                throw new IllegalStateException("event store unreachable");
            }
            return store.openStream(trackingToken);
        }

        @Override
        public TrackingToken createTailToken() {
            return store.createTailToken();
        }

        @Override
        public TrackingToken createHeadToken() {
            return store.createHeadToken();
        }

        @Override
        public TrackingToken createTokenAt(Instant dateTime) {
            return store.createTokenAt(dateTime);
        }
    }
}
