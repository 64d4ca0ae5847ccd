package io.phasegate.query.stream;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Counts the open SSE connections per organisation (this instance), capped by the configured maximum; their total is
 * the gauge {@code phasegate.streams.connections}.
 */
@Component
public class StreamConnections {

    private final ConcurrentHashMap<String, AtomicInteger> open = new ConcurrentHashMap<>();
    private final AtomicInteger total = new AtomicInteger();

    StreamConnections() {
    }

    @Autowired
    StreamConnections(ObjectProvider<MeterRegistry> meters) {
        meters.ifAvailable(registry -> Gauge.builder("phasegate.streams.connections", total, AtomicInteger::get)
                .description("Open SSE stream connections").register(registry));
    }

    /** Takes a connection slot of the organisation, unless it already has {@code max} open. */
    boolean tryOpen(String orgId, int max) {
        AtomicBoolean opened = new AtomicBoolean();
        open.compute(orgId, (org, count) -> {
            AtomicInteger value = count == null ? new AtomicInteger() : count;
            if (value.get() < max) {
                value.incrementAndGet();
                opened.set(true);
            }
            return value.get() == 0 ? null : value;
        });
        if (opened.get()) {
            total.incrementAndGet();
        }
        return opened.get();
    }

    void close(String orgId) {
        AtomicBoolean closed = new AtomicBoolean();
        open.computeIfPresent(orgId, (org, count) -> {
            closed.set(true);
            return count.decrementAndGet() <= 0 ? null : count;
        });
        if (closed.get()) {
            total.decrementAndGet();
        }
    }

    /** The organisation's open connections. */
    public int open(String orgId) {
        AtomicInteger count = open.get(orgId);
        return count == null ? 0 : count.get();
    }

    /** All open connections. */
    public int total() {
        return total.get();
    }
}
