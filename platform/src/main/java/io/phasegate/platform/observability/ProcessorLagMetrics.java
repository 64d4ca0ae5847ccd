package io.phasegate.platform.observability;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.messaging.StreamableMessageSource;

/**
 * The lag of every streaming event processor of this instance: the gauge {@value #METER}{@code {processor}}, the
 * head of the event stream minus the position of the processor's slowest segment, in events (global index steps).
 * It is {@code NaN} while this instance has no segment of the processor (another instance holds it, or the
 * processor is not running) and when the head cannot be read (database down).
 *
 * <p>The head is read from the event store (one {@code max(global_index)} query with the JDBC store) at most once a
 * second, however many processors and scrapes there are.
 */
public class ProcessorLagMetrics {

    public static final String METER = "phasegate.processor.lag";
    private final LongSupplier head;
    private final long headCacheNanos;

    private final Object lock = new Object();
    private long headReadAt;
    private long cachedHead = Long.MIN_VALUE;

    /** @param headCache how long a head read from {@code source} is reused */
    public ProcessorLagMetrics(StreamableMessageSource<?> source, java.time.Duration headCache) {
        this(() -> {
            TrackingToken token = source.createHeadToken();
            return token == null ? -1 : token.position().orElse(-1);
        }, headCache.toNanos());
    }

    ProcessorLagMetrics(LongSupplier head, long headCacheNanos) {
        this.head = head;
        this.headCacheNanos = headCacheNanos;
    }

    /** Registers a gauge for each processor (name: processor). */
    public void register(MeterRegistry registry, Map<String, ? extends StreamingEventProcessor> processors) {
        processors.forEach((name, processor) -> Gauge.builder(METER, processor, this::lag)
                .description("Events the processor is behind the head of the event stream")
                .baseUnit("events")
                .tag("processor", name)
                .strongReference(true)
                .register(registry));
    }

    double lag(StreamingEventProcessor processor) {
        Map<Integer, EventTrackerStatus> status = processor.processingStatus();
        if (status.isEmpty()) {
            return Double.NaN;
        }
        long slowest = Long.MAX_VALUE;
        for (EventTrackerStatus segment : status.values()) {
            OptionalLong position = segment.getCurrentPosition();
            slowest = Math.min(slowest, position.orElse(-1));
        }
        long headPosition;
        try {
            headPosition = head();
        } catch (RuntimeException e) {
            return Double.NaN;
        }
        return Math.max(0, headPosition - slowest);
    }

    private long head() {
        synchronized (lock) {
            long now = System.nanoTime();
            if (cachedHead == Long.MIN_VALUE || now - headReadAt >= headCacheNanos) {
                cachedHead = head.getAsLong();
                headReadAt = now;
            }
            return cachedHead;
        }
    }

    /** For the auto-configuration: the processors of an Axon configuration, read when the gauges are registered. */
    static Map<String, StreamingEventProcessor> streaming(Supplier<Map<String, ?>> processors) {
        Map<String, StreamingEventProcessor> streaming = new java.util.TreeMap<>();
        processors.get().forEach((name, p) -> {
            if (p instanceof StreamingEventProcessor s) {
                streaming.put(name, s);
            }
        });
        return streaming;
    }
}
