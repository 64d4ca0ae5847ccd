package io.phasegate.command.crypto;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link DataKeyStore} in memory, for the aggregate and unit tests (the integration tests use the JDBC one). */
public class InMemoryDataKeyStore implements DataKeyStore {

    private final Map<String, StoredDataKey> keys = new ConcurrentHashMap<>();

    @Override
    public synchronized void insert(StoredDataKey key) {
        if (keys.values().stream().anyMatch(k -> k.dockId().equals(key.dockId()))) {
            throw new DataKeyConflictException(key.dockId());
        }
        keys.put(key.dataKeyId(), key);
    }

    @Override
    public Optional<StoredDataKey> find(String dataKeyId) {
        return Optional.ofNullable(keys.get(dataKeyId));
    }

    @Override
    public synchronized boolean destroy(String dataKeyId, Instant at) {
        StoredDataKey key = keys.get(dataKeyId);
        if (key == null || key.destroyed()) {
            return false;
        }
        keys.put(dataKeyId, new StoredDataKey(key.dataKeyId(), key.dockId(), key.orgId(), null,
                key.masterKeyVersion(), key.createdAt(), at));
        return true;
    }

    @Override
    public List<StoredDataKey> all() {
        return new ArrayList<>(keys.values());
    }

    @Override
    public synchronized boolean rewrap(String dataKeyId, int expectedVersion, String wrappedKey, int masterKeyVersion) {
        StoredDataKey key = keys.get(dataKeyId);
        if (key == null || key.destroyed() || key.masterKeyVersion() != expectedVersion) {
            return false;
        }
        keys.put(dataKeyId, new StoredDataKey(key.dataKeyId(), key.dockId(), key.orgId(), wrappedKey,
                masterKeyVersion, key.createdAt(), null));
        return true;
    }

    /** Replaces a stored key as is (tampering tests). */
    public void put(StoredDataKey key) {
        keys.put(key.dataKeyId(), key);
    }

    /** The dock's key, live or destroyed. */
    public Optional<StoredDataKey> ofDock(String dockId) {
        return keys.values().stream().filter(k -> k.dockId().equals(dockId)).findFirst();
    }
}
