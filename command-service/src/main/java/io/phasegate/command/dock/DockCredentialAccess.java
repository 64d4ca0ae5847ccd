package io.phasegate.command.dock;

import io.phasegate.command.adapter.DockConnection;

/** Opens one credential version of a dock, recording the decryption first (see {@link DockConnectionService}). */
public interface DockCredentialAccess {

    DockConnection openVersion(String orgId, String dockId, int version, String actor, String purpose,
                               String operationId);
}
