package io.phasegate.command.crypto;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where the wrapped per-dock data keys live: outside the event store ({@code command.dock_data_keys}), so that
 * destroying one makes its dock's ciphertext in the event store unreadable (crypto-shredding).
 */
public interface DataKeyStore {

    /**
     * A data key as stored.
     *
     * @param wrappedKey       base64 of nonce and AES-GCM ciphertext of the data key under the master key;
     *                         {@code null} once destroyed
     * @param masterKeyVersion the master key version that wraps it
     */
    record StoredDataKey(String dataKeyId, String dockId, String orgId, String wrappedKey, int masterKeyVersion,
                         Instant createdAt, Instant destroyedAt) {

        public boolean destroyed() {
            return destroyedAt != null || wrappedKey == null;
        }

        @Override
        public String toString() {
            return "StoredDataKey[dataKeyId=" + dataKeyId + ", dockId=" + dockId + ", orgId=" + orgId
                    + ", masterKeyVersion=" + masterKeyVersion + ", destroyed=" + destroyed() + "]";
        }
    }

    /** @throws DataKeyConflictException when the dock already has a data key (live or destroyed) */
    void insert(StoredDataKey key);

    Optional<StoredDataKey> find(String dataKeyId);

    /** Overwrites the wrapped key and marks it destroyed; false when no live key had that id. */
    boolean destroy(String dataKeyId, Instant at);

    /** Every data key (live and destroyed), for the rewrap. */
    List<StoredDataKey> all();

    /**
     * Replaces the wrapping of a live key if it is still wrapped by {@code expectedVersion}; false when it was
     * destroyed or rewrapped meanwhile.
     */
    boolean rewrap(String dataKeyId, int expectedVersion, String wrappedKey, int masterKeyVersion);

    /** Another data key exists for the dock. */
    class DataKeyConflictException extends RuntimeException {
        public DataKeyConflictException(String dockId) {
            super("Dock " + dockId + " already has a data key");
        }
    }
}
