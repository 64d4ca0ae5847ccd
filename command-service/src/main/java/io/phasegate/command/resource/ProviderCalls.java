package io.phasegate.command.resource;

import io.phasegate.command.adapter.AdapterException;
import io.phasegate.command.adapter.DockAdapter;
import io.phasegate.command.adapter.DockAdapters;
import io.phasegate.command.adapter.DockConnection;
import io.phasegate.command.adapter.DockConnections.DockUnavailableException;
import io.phasegate.command.adapter.ProviderResource;
import io.phasegate.command.adapter.ResourceRequest;
import io.phasegate.events.common.ErrorDetails;
import io.phasegate.events.resource.ResourceOperation;
import io.phasegate.events.resource.ResourceType;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;
import org.axonframework.messaging.HandlerExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * One provider call of a resource operation, as the provisioning process makes it: opens the dock's connection
 * (recorded as a credential use), picks the dock's adapter and calls it with the operation id as the idempotency key,
 * bounded by {@link ProvisioningProperties#callTimeout()}. Answers an {@link Outcome} instead of throwing, and computes
 * the back-off before the next attempt.
 *
 * <p>The adapter runs on a thread of its own so that a hanging provider cannot hold the caller beyond the time-out;
 * a call that outlives it is abandoned (interrupted) and counts as a retryable failure. Should it still reach the
 * provider, the next attempt carries the same idempotency key and gets the same resource back.
 */
@Component
class ProviderCalls implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProviderCalls.class);
    /** Provider calls that may run at once, abandoned ones included; more are refused as a retryable failure. */
    private static final int MAX_CONCURRENT_CALLS = 16;

    private final ResourceDocks docks;
    private final DockAdapters adapters;
    private final ProvisioningProperties properties;
    private final DoubleSupplier jitter;
    private final ThreadPoolExecutor executor;

    @Autowired
    ProviderCalls(ResourceDocks docks, DockAdapters adapters, ProvisioningProperties properties) {
        this(docks, adapters, properties, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** @param jitter a source of numbers in [0, 1] that spreads the back-off */
    ProviderCalls(ResourceDocks docks, DockAdapters adapters, ProvisioningProperties properties, DoubleSupplier jitter) {
        this.docks = docks;
        this.adapters = adapters;
        this.properties = properties;
        this.jitter = jitter;
        this.executor = new ThreadPoolExecutor(0, MAX_CONCURRENT_CALLS, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                daemonThreads());
    }

    ProvisioningProperties properties() {
        return properties;
    }

    /** What one call is about. {@code providerResourceId} is {@code null} for a provision. */
    record Call(String orgId, String dockId, String resourceId, ResourceOperation operation, String operationId,
                ResourceType type, String name, Map<String, Object> spec, String providerResourceId, String actor) {
    }

    /** How a call ended. */
    sealed interface Outcome permits Succeeded, Failed {
    }

    record Succeeded(ProviderResource resource) implements Outcome {
    }

    /** {@code reason} is shown to users and recorded in events: codes and adapter messages, never credentials. */
    record Failed(boolean retryable, String reason) implements Outcome {
    }

    Outcome run(Call call) {
        DockConnection connection;
        try {
            // a read first: a dock that is gone fails the operation without a command that the dock would refuse
            // (a refused command inside the process's unit of work would roll back its whole transaction)
            if (docks.find(call.orgId(), call.dockId()).isEmpty()) {
                return new Failed(false, "dock_unavailable: the dock does not exist any more");
            }
            connection = docks.open(call.orgId(), call.dockId(), call.actor(), call.operation().wire(),
                    call.operationId());
        } catch (DockUnavailableException gone) {
            return new Failed(false, "dock_unavailable: the dock does not exist any more");
        } catch (HandlerExecutionException rejected) {
            ErrorDetails details = rejected.getDetails().filter(ErrorDetails.class::isInstance)
                    .map(ErrorDetails.class::cast).orElse(null);
            if (details != null && details.status() == 404) {
                return new Failed(false, "dock_unavailable: the dock does not exist any more");
            }
            if (details != null && details.status() >= 400 && details.status() < 500 && details.status() != 409) {
                // a refusal that another attempt cannot change (a concurrent change of the dock, 409, may)
                return new Failed(false, "dock_error: " + details.code());
            }
            return new Failed(true, "dock_error: " + (details == null ? "the dock could not be opened" : details.code()));
        } catch (RuntimeException e) {
            log.warn("Opening dock {} for operation {} failed: {}", call.dockId(), call.operationId(),
                    e.getClass().getName());
            return new Failed(true, "dock_error: the dock's credentials could not be opened");
        }
        DockAdapter adapter;
        try {
            adapter = adapters.require(connection.provider());
        } catch (AdapterException unknown) {
            return failed(unknown);
        }
        return callWithTimeout(() -> invoke(adapter, connection, call));
    }

    private static ProviderResource invoke(DockAdapter adapter, DockConnection connection, Call call) {
        ResourceRequest request = new ResourceRequest(call.resourceId(), call.orgId(), call.type(), call.name(),
                call.spec(), call.operationId());
        return switch (call.operation()) {
            case PROVISION -> adapter.provision(connection, request);
            case UPDATE -> adapter.update(connection, call.providerResourceId(), request);
            case DEPROVISION -> {
                adapter.deprovision(connection, call.providerResourceId(), call.operationId());
                yield new ProviderResource(call.providerResourceId(), Map.of());
            }
        };
    }

    private Outcome callWithTimeout(Callable<ProviderResource> work) {
        Future<ProviderResource> future;
        try {
            future = executor.submit(work);
        } catch (RejectedExecutionException busy) {
            return new Failed(true, "provider_busy: too many provider calls are running");
        }
        try {
            ProviderResource resource = future.get(properties.callTimeout().toMillis(), TimeUnit.MILLISECONDS);
            if (resource == null || resource.providerResourceId() == null || resource.providerResourceId().isBlank()) {
                return new Failed(false, "invalid_provider_response: the provider named no resource id");
            }
            return new Succeeded(resource);
        } catch (TimeoutException slow) {
            future.cancel(true);
            return new Failed(true, "timeout: the provider did not answer within " + human(properties.callTimeout()));
        } catch (InterruptedException interrupted) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            return new Failed(true, "interrupted: the provider call was interrupted");
        } catch (ExecutionException failed) {
            Throwable cause = failed.getCause();
            if (cause instanceof AdapterException adapterFailure) {
                return failed(adapterFailure);
            }
            log.warn("Provider call failed unexpectedly: {}", cause == null ? "?" : cause.getClass().getName());
            return new Failed(true, "provider_error: the adapter failed unexpectedly");
        }
    }

    private static Failed failed(AdapterException e) {
        String code = e.code() == null || e.code().isBlank() ? "provider_error" : e.code();
        return new Failed(e.retryable(), e.getMessage() == null ? code : code + ": " + e.getMessage());
    }

    /**
     * The pause after failed attempt {@code attempt} (1-based): exponential from the initial back-off, capped at the
     * maximum, with "equal jitter" (half fixed, half random) so that many failing operations do not retry in step.
     */
    Duration backoff(int attempt) {
        long initial = properties.initialBackoff().toMillis();
        long max = properties.maxBackoff().toMillis();
        long exponential = attempt >= 62 ? max : Math.min(max, initial << Math.min(attempt - 1, 30));
        double random = Math.max(0, Math.min(1, jitter.getAsDouble()));
        return Duration.ofMillis(exponential / 2 + Math.round(exponential / 2.0 * random));
    }

    private static String human(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "provider-call-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
