package io.phasegate.platform.observability;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.axonframework.common.transaction.NoTransactionManager;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventhandling.SimpleEventHandlerInvoker;
import org.axonframework.eventhandling.TrackingEventProcessor;
import org.axonframework.eventhandling.TrackingEventProcessorConfiguration;
import org.axonframework.eventhandling.tokenstore.inmemory.InMemoryTokenStore;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.inmemory.InMemoryEventStorageEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The lag gauge against a real (in-memory) event store and a real tracking processor. */
class ProcessorLagMetricsTest {

    private final EmbeddedEventStore store = EmbeddedEventStore.builder()
            .storageEngine(new InMemoryEventStorageEngine()).build();
    private TrackingEventProcessor processor;

    @AfterEach
    void stop() {
        if (processor != null) {
            processor.shutDown();
        }
        store.shutDown();
    }

    @Test
    void theLagIsTheHeadMinusTheProcessorsPositionAndDropsToZeroWhenItCatchesUp() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        processor = TrackingEventProcessor.builder()
                .name("slow-projection")
                .eventHandlerInvoker(SimpleEventHandlerInvoker.builder().eventHandlers(
                        (org.axonframework.eventhandling.EventMessageHandler) event -> {
                            if ("blocker".equals(event.getPayload())) {
                                release.await(10, TimeUnit.SECONDS);
                            }
                            return null;
                        }).build())
                .messageSource(store)
                .tokenStore(new InMemoryTokenStore())
                .transactionManager(NoTransactionManager.INSTANCE)
                .trackingEventProcessorConfiguration(TrackingEventProcessorConfiguration.forSingleThreadedProcessing()
                        .andBatchSize(1).andEventAvailabilityTimeout(100, TimeUnit.MILLISECONDS))
                .build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new ProcessorLagMetrics(store, Duration.ZERO).register(registry, Map.of("slow-projection", processor));
        Gauge lag = registry.find(ProcessorLagMetrics.METER).tag("processor", "slow-projection").gauge();
        assertThat(lag).isNotNull();
        assertThat(lag.value()).as("not running: no segment on this instance").isNaN();

        processor.start();
        store.publish(GenericEventMessage.asEventMessage("first"));
        await(() -> lag.value() == 0.0);

        // the processor is stuck on the blocker; four more events queue up behind it
        store.publish(GenericEventMessage.asEventMessage("blocker"));
        for (int i = 0; i < 4; i++) {
            store.publish(GenericEventMessage.asEventMessage("after-" + i));
        }
        await(() -> lag.value() == 5.0);
        assertThat(lag.value()).isEqualTo(5.0);

        release.countDown();
        await(() -> lag.value() == 0.0);
        assertThat(lag.value()).isZero();
    }

    @Test
    void anUnreadableHeadGivesNaN() {
        ProcessorLagMetrics metrics = new ProcessorLagMetrics(() -> {
            throw new IllegalStateException("database down");
        }, 0);
        processor = TrackingEventProcessor.builder()
                .name("p")
                .eventHandlerInvoker(SimpleEventHandlerInvoker.builder().eventHandlers(
                        (org.axonframework.eventhandling.EventMessageHandler) event -> null).build())
                .messageSource(store)
                .tokenStore(new InMemoryTokenStore())
                .transactionManager(NoTransactionManager.INSTANCE)
                .build();
        processor.start();
        await(() -> !processor.processingStatus().isEmpty());
        assertThat(metrics.lag(processor)).isNaN();
    }

    private static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
