package io.phasegate.command.task;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.axonframework.common.Registration;
import org.axonframework.common.caching.Cache;
import org.axonframework.eventsourcing.AggregateCacheEntry;

/**
 * A {@link Cache} of aggregates that never hands out an entry older than the event store: before Axon's caching
 * repository uses a cached aggregate, {@link #get} compares the entry's version (the sequence number of its last
 * event) with the aggregate's last stored sequence number ({@code EventStore.lastSequenceNumberFor}, one indexed
 * {@code max(sequence_number)} query on the command's own connection and transaction). On a mismatch — another
 * command-service instance appended to the aggregate since this one cached it — the entry is evicted and the
 * repository reads the aggregate from the store, so a command is never decided on stale state.
 *
 * <p>Used for the JDBC event store (modes {@code embedded} and {@code postgres}), where several instances may write
 * the same aggregate. An append that races with the check still collides on the store's unique
 * {@code (aggregate_identifier, sequence_number)} and answers 409 {@code conflict}, as before.
 */
final class StoreCheckedCache implements Cache {

    /** {@link AggregateCacheEntry} keeps its version private; read it once per check (no copying, no allocation). */
    private static final VarHandle VERSION;

    static {
        try {
            VERSION = MethodHandles.privateLookupIn(AggregateCacheEntry.class, MethodHandles.lookup())
                    .findVarHandle(AggregateCacheEntry.class, "version", Long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Cache delegate;
    private final Function<String, Optional<Long>> lastStoredSequence;

    /**
     * @param lastStoredSequence the sequence number of an aggregate's last stored event (empty if it has none)
     */
    StoreCheckedCache(Cache delegate, Function<String, Optional<Long>> lastStoredSequence) {
        this.delegate = delegate;
        this.lastStoredSequence = lastStoredSequence;
    }

    @Override
    public <K, V> V get(K key) {
        V value = delegate.get(key);
        if (value instanceof AggregateCacheEntry<?> entry && key instanceof String aggregateId) {
            Long cached = (Long) VERSION.get(entry);
            Optional<Long> stored = lastStoredSequence.apply(aggregateId);
            if (cached == null || stored.isEmpty() || !stored.get().equals(cached)) {
                delegate.remove(key);
                return null;
            }
        }
        return value;
    }

    /** The version of a cached entry, for tests; {@code null} when there is none. */
    static Long versionOf(Object entry) {
        return entry instanceof AggregateCacheEntry<?> cached ? (Long) VERSION.get(cached) : null;
    }

    @Override
    public void put(Object key, Object value) {
        delegate.put(key, value);
    }

    @Override
    public boolean putIfAbsent(Object key, Object value) {
        return delegate.putIfAbsent(key, value);
    }

    @Override
    public <T> T computeIfAbsent(Object key, Supplier<T> valueSupplier) {
        return delegate.computeIfAbsent(key, valueSupplier);
    }

    @Override
    public <V> void computeIfPresent(Object key, UnaryOperator<V> update) {
        delegate.computeIfPresent(key, update);
    }

    @Override
    public boolean remove(Object key) {
        return delegate.remove(key);
    }

    @Override
    public void removeAll() {
        delegate.removeAll();
    }

    @Override
    public boolean containsKey(Object key) {
        return delegate.containsKey(key);
    }

    @Override
    public Registration registerCacheEntryListener(EntryListener listener) {
        return delegate.registerCacheEntryListener(listener);
    }
}
