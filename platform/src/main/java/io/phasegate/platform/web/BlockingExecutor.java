package io.phasegate.platform.web;

import io.phasegate.platform.observability.CorrelationIds;
import java.util.concurrent.Callable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Runs blocking work (JDBC, Axon's synchronous buses) off the event loop on a bounded scheduler, so that a slow
 * database never stalls Netty's threads and the number of threads stays capped.
 */
public final class BlockingExecutor implements AutoCloseable {

    private final Scheduler scheduler;

    public BlockingExecutor(int threads, int queuedTasks) {
        this.scheduler = Schedulers.newBoundedElastic(threads, queuedTasks, "blocking-io", 60, true);
    }

    /**
     * Runs {@code work} on the bounded scheduler, with the request's correlation id (from the Reactor context) in the
     * thread's MDC, so that its log lines and the commands it sends carry it.
     */
    public <T> Mono<T> call(Callable<T> work) {
        return Mono.deferContextual(context -> Mono.fromCallable(CorrelationIds.inMdc(context, work)))
                .subscribeOn(scheduler);
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    @Override
    public void close() {
        scheduler.dispose();
    }
}
