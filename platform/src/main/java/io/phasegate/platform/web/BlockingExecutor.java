package io.phasegate.platform.web;

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

    public <T> Mono<T> call(Callable<T> work) {
        return Mono.fromCallable(work).subscribeOn(scheduler);
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    @Override
    public void close() {
        scheduler.dispose();
    }
}
