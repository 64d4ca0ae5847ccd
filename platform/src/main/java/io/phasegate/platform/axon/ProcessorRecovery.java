package io.phasegate.platform.axon;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.axonframework.eventhandling.EventProcessor;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Restarts the event processors that are waiting to retry once the event store is reachable again: Axon Server in
 * the {@code axonserver} storage mode, the database in the JDBC modes. While the store is away, every tracking
 * processor fails to read its stream and
 * enters Axon's error retry, whose wait doubles up to 60 s (hard-coded in Axon 4.13); without this the projections
 * resumed up to a minute after Axon Server was back, readiness already UP and {@code min_position} reads answering
 * {@code 503 position_not_reached} meanwhile (docs/adr/0013-axon-server-mode.md).
 *
 * <p>Checks the connection every {@code interval}. After it has seen the connection down, the first check that sees it
 * up again restarts every running streaming processor in error (shut down, start: the tokens are in the token store,
 * so the processor resumes where it was). Processors in error without an outage (a failing handler, the database)
 * keep Axon's own retry.
 */
public class ProcessorRecovery implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ProcessorRecovery.class);

    private final BooleanSupplier connected;
    private final Supplier<Map<String, EventProcessor>> processors;
    private final Duration interval;
    private volatile ScheduledExecutorService executor;
    /** Only read and written by the checking thread. */
    private boolean outageSeen;

    /**
     * @param connected  whether the event store (Axon Server's context) is connected now
     * @param processors the application's event processors by name
     * @param interval   how often to check the connection
     */
    public ProcessorRecovery(BooleanSupplier connected, Supplier<Map<String, EventProcessor>> processors,
                             Duration interval) {
        this.connected = connected;
        this.processors = processors;
        this.interval = interval;
    }

    /** One check; answers how many processors it restarted. */
    int check() {
        if (!connected.getAsBoolean()) {
            outageSeen = true;
            return 0;
        }
        if (!outageSeen) {
            return 0;
        }
        outageSeen = false;
        int restarted = 0;
        for (Map.Entry<String, EventProcessor> entry : processors.get().entrySet()) {
            if (entry.getValue() instanceof StreamingEventProcessor processor && processor.isRunning()
                    && inError(processor)) {
                log.info("The event store is reachable again: restarting event processor {}, which was waiting to "
                        + "retry", entry.getKey());
                processor.shutDown();
                processor.start();
                restarted++;
            }
        }
        return restarted;
    }

    /**
     * Whether a segment of the processor is in error: Axon marks the segment's status while its worker waits to retry
     * ({@code isError()} of a tracking processor reports something else, a paused processor).
     */
    static boolean inError(StreamingEventProcessor processor) {
        return processor.processingStatus().values().stream().anyMatch(EventTrackerStatus::isErrorState);
    }

    @Override
    public void start() {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "event-processor-recovery");
            t.setDaemon(true);
            return t;
        });
        long millis = interval.toMillis();
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                check();
            } catch (RuntimeException e) {
                log.warn("Checking the event processors after an event store outage failed", e);
            }
        }, millis, millis, TimeUnit.MILLISECONDS);
        executor = scheduler;
    }

    @Override
    public void stop() {
        ScheduledExecutorService scheduler = executor;
        executor = null;
        if (scheduler != null) {
            scheduler.shutdownNow();
            try {
                scheduler.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return executor != null;
    }

    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 1000; // started after Axon's processors, stopped before them
    }
}
