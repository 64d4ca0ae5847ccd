package io.phasegate.command.adapter;

import java.util.Optional;

/**
 * Access to docks for the processes that call adapters (implemented by the dock package). Opening a connection
 * records the decryption as an event first ({@code RecordCredentialUseCommand}), then decrypts the current
 * credentials.
 */
public interface DockConnections {

    /** A dock's non-secret facts, empty when it does not exist in that organisation or was deleted. */
    Optional<DockInfo> find(String orgId, String dockId);

    /**
     * Records the use and decrypts the dock's current credentials.
     *
     * @throws DockUnavailableException when the dock does not exist in that organisation or was deleted
     */
    DockConnection open(String orgId, String dockId, String actor, String purpose, String operationId);

    /** Non-secret facts about a dock. */
    record DockInfo(String dockId, String orgId, String provider, int credentialVersion) {
    }

    /** The dock is gone (deleted, crypto-shredded) or never existed in that organisation. */
    class DockUnavailableException extends RuntimeException {
        public DockUnavailableException(String message) {
            super(message);
        }
    }
}
