package io.phasegate.command.task;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.axonframework.common.Registration;
import org.axonframework.common.caching.Cache;

/**
 * An Axon {@link Cache} that keeps at most {@code maxEntries} entries, evicting the least recently used one. Unlike
 * {@link org.axonframework.common.caching.WeakReferenceCache}, which loses its entries at every garbage collection,
 * it keeps the aggregates that are in use, so a busy task is not re-read from the event store for every tool call;
 * unlike an unbounded map, its memory stays bounded.
 *
 * <p>Thread-safe (one lock; every operation is O(1)). Listeners are told after the lock is released.
 */
final class BoundedCache implements Cache {

    private final int maxEntries;
    private final Map<Object, Object> entries;
    private final List<EntryListener> listeners = new CopyOnWriteArrayList<>();

    BoundedCache(int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1");
        }
        this.maxEntries = maxEntries;
        this.entries = new LinkedHashMap<>(Math.min(maxEntries, 1024), 0.75f, true);
    }

    int size() {
        synchronized (entries) {
            return entries.size();
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <K, V> V get(K key) {
        Object value;
        synchronized (entries) {
            value = entries.get(key);
        }
        if (value != null) {
            listeners.forEach(listener -> listener.onEntryRead(key, value));
        }
        return (V) value;
    }

    @Override
    public void put(Object key, Object value) {
        Object previous;
        List<Object> evicted;
        synchronized (entries) {
            previous = entries.put(key, value);
            evicted = evict();
        }
        notifyPut(key, value, previous != null, evicted);
    }

    @Override
    public boolean putIfAbsent(Object key, Object value) {
        List<Object> evicted;
        synchronized (entries) {
            if (entries.containsKey(key)) {
                return false;
            }
            entries.put(key, value);
            evicted = evict();
        }
        notifyPut(key, value, false, evicted);
        return true;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T computeIfAbsent(Object key, Supplier<T> valueSupplier) {
        List<Object> evicted;
        T value;
        synchronized (entries) {
            Object present = entries.get(key);
            if (present != null) {
                return (T) present;
            }
            value = valueSupplier.get();
            if (value == null) {
                return null;
            }
            entries.put(key, value);
            evicted = evict();
        }
        notifyPut(key, value, false, evicted);
        return value;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <V> void computeIfPresent(Object key, UnaryOperator<V> update) {
        Object updated;
        boolean removed;
        synchronized (entries) {
            Object present = entries.get(key);
            if (present == null) {
                return;
            }
            updated = update.apply((V) present);
            removed = updated == null;
            if (removed) {
                entries.remove(key);
            } else {
                entries.put(key, updated);
            }
        }
        if (removed) {
            listeners.forEach(listener -> listener.onEntryRemoved(key));
        } else {
            listeners.forEach(listener -> listener.onEntryUpdated(key, updated));
        }
    }

    @Override
    public boolean remove(Object key) {
        boolean removed;
        synchronized (entries) {
            removed = entries.remove(key) != null;
        }
        if (removed) {
            listeners.forEach(listener -> listener.onEntryRemoved(key));
        }
        return removed;
    }

    @Override
    public void removeAll() {
        List<Object> keys;
        synchronized (entries) {
            keys = new ArrayList<>(entries.keySet());
            entries.clear();
        }
        keys.forEach(key -> listeners.forEach(listener -> listener.onEntryRemoved(key)));
    }

    @Override
    public boolean containsKey(Object key) {
        synchronized (entries) {
            return entries.containsKey(key);
        }
    }

    @Override
    public Registration registerCacheEntryListener(EntryListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Removes the least recently used entries beyond the bound; call with the lock held. */
    private List<Object> evict() {
        if (entries.size() <= maxEntries) {
            return List.of();
        }
        List<Object> evicted = new ArrayList<>(1);
        Iterator<Object> keys = entries.keySet().iterator();
        while (entries.size() > maxEntries && keys.hasNext()) {
            evicted.add(keys.next());
            keys.remove();
        }
        return evicted;
    }

    private void notifyPut(Object key, Object value, boolean updated, List<Object> evicted) {
        if (listeners.isEmpty()) {
            return;
        }
        for (EntryListener listener : listeners) {
            if (updated) {
                listener.onEntryUpdated(key, value);
            } else {
                listener.onEntryCreated(key, value);
            }
            evicted.forEach(listener::onEntryExpired);
        }
    }
}
