package io.phasegate.command.resource;

import io.phasegate.command.adapter.AdapterException;
import io.phasegate.command.adapter.DockAdapter;
import io.phasegate.command.adapter.DockConnection;
import io.phasegate.command.adapter.ProviderResource;
import io.phasegate.command.adapter.ResourceRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A provider that keeps its resources in memory and honours idempotency keys like a real one: a second provision
 * with the same key returns the first resource. Faults are injected per call: fail (retryable or not) or sleep.
 */
public class InMemoryProvider implements DockAdapter {

    private final String provider;
    /** Provider resource id to resource. */
    private final Map<String, Stored> resources = new ConcurrentHashMap<>();
    /** Idempotency key to provider resource id. */
    private final Map<String, String> byKey = new ConcurrentHashMap<>();
    private final AtomicInteger created = new AtomicInteger();
    private final AtomicInteger sequence = new AtomicInteger();
    private final Deque<Fault> faults = new ConcurrentLinkedDeque<>();
    private final List<Call> calls = java.util.Collections.synchronizedList(new ArrayList<>());

    /** What the provider holds. */
    public record Stored(String providerResourceId, String name, Map<String, Object> spec) {
    }

    /** One call: the operation ({@code provision}, {@code update}, {@code deprovision}) and its idempotency key. */
    public record Call(String operation, String idempotencyKey, String providerResourceId) {
    }

    private sealed interface Fault permits Fail, Sleep, SleepAfterCreating {
    }

    private record SleepAfterCreating(Duration duration) implements Fault {
    }

    private record Fail(String code, boolean retryable) implements Fault {
    }

    private record Sleep(Duration duration) implements Fault {
    }

    public InMemoryProvider(String provider) {
        this.provider = provider;
    }

    public InMemoryProvider failNext(int times, boolean retryable) {
        for (int i = 0; i < times; i++) {
            faults.add(new Fail(retryable ? "provider_unavailable" : "invalid_spec", retryable));
        }
        return this;
    }

    /** The next call sleeps this long (after which it succeeds). */
    public InMemoryProvider sleepNext(Duration duration) {
        faults.add(new Sleep(duration));
        return this;
    }

    /**
     * The next provision creates the resource, then sleeps this long before it answers: a caller that gives up
     * (time-out, crash) never learns that the resource exists, unless it asks again with the same key.
     */
    public InMemoryProvider slowAfterCreatingNext(Duration duration) {
        faults.add(new SleepAfterCreating(duration));
        return this;
    }

    public int created() {
        return created.get();
    }

    public Map<String, Stored> resources() {
        return Map.copyOf(resources);
    }

    public List<Call> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    @Override
    public String provider() {
        return provider;
    }

    @Override
    public void validateCredentials(DockConnection connection) {
        requireCredentials(connection);
    }

    @Override
    public ProviderResource provision(DockConnection connection, ResourceRequest request) {
        calls.add(new Call("provision", request.idempotencyKey(), null));
        requireCredentials(connection);
        Fault after = faults.peek() instanceof SleepAfterCreating ? faults.poll() : null;
        injectFault();
        String id = byKey.computeIfAbsent(request.idempotencyKey(), key -> {
            String providerId = "mem-" + sequence.incrementAndGet();
            resources.put(providerId, new Stored(providerId, request.name(), request.spec()));
            created.incrementAndGet();
            return providerId;
        });
        if (after instanceof SleepAfterCreating sleep) {
            sleep(sleep.duration());
        }
        return new ProviderResource(id, Map.of("address", id + ".example.test"));
    }

    @Override
    public ProviderResource update(DockConnection connection, String providerResourceId, ResourceRequest request) {
        calls.add(new Call("update", request.idempotencyKey(), providerResourceId));
        requireCredentials(connection);
        injectFault();
        Stored stored = resources.get(providerResourceId);
        if (stored == null) {
            throw AdapterException.permanentFailure("not_found", "the resource does not exist at the provider");
        }
        resources.put(providerResourceId, new Stored(providerResourceId, stored.name(), request.spec()));
        return new ProviderResource(providerResourceId, Map.of("address", providerResourceId + ".example.test",
                "generation", String.valueOf(request.spec().hashCode())));
    }

    @Override
    public void deprovision(DockConnection connection, String providerResourceId, String idempotencyKey) {
        calls.add(new Call("deprovision", idempotencyKey, providerResourceId));
        requireCredentials(connection);
        injectFault();
        resources.remove(providerResourceId);
    }

    @Override
    public Optional<ProviderResource> describe(DockConnection connection, String providerResourceId) {
        return Optional.ofNullable(resources.get(providerResourceId))
                .map(stored -> new ProviderResource(stored.providerResourceId(), Map.of()));
    }

    private static void requireCredentials(DockConnection connection) {
        if (!InMemoryDocks.SECRET.equals(connection.credentials().get("api_token"))) {
            throw AdapterException.permanentFailure("invalid_credentials", "the provider refused the credentials");
        }
    }

    private void injectFault() {
        Fault fault = faults.poll();
        if (fault instanceof Fail fail) {
            throw new AdapterException(fail.code(), fail.retryable() ? "the provider is unavailable (injected)"
                    : "the provider refused the spec (injected)", fail.retryable());
        }
        if (fault instanceof Sleep sleep) {
            sleep(sleep.duration());
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw AdapterException.transientFailure("interrupted", "the call was interrupted");
        }
    }
}
