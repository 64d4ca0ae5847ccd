package io.phasegate.command.adapter;

import java.util.Optional;

/**
 * A provider behind a dock. Implementations are called by the credential-rotation and provisioning processes, never
 * from an aggregate, and must be safe to call again after a crash:
 * <ul>
 *   <li>{@link #provision} is idempotent per {@link ResourceRequest#idempotencyKey()}: a second call with the same key
 *       returns the resource the first call created instead of creating another;</li>
 *   <li>{@link #update} with the same key and spec converges to the same state;</li>
 *   <li>{@link #deprovision} of a resource that is already gone succeeds.</li>
 * </ul>
 * Failures are {@link AdapterException}s that say whether another attempt may succeed. Credential values must never
 * appear in exception messages or logs.
 */
public interface DockAdapter {

    /** The provider name that docks use to select this adapter ({@code local}, {@code http}, ...). */
    String provider();

    /** Checks the dock's settings (not its credentials) when a dock is registered; throws a non-retryable failure. */
    default void checkSettings(java.util.Map<String, String> settings) {
    }

    /** Checks that the connection's credentials work at the provider. */
    void validateCredentials(DockConnection connection);

    ProviderResource provision(DockConnection connection, ResourceRequest request);

    ProviderResource update(DockConnection connection, String providerResourceId, ResourceRequest request);

    void deprovision(DockConnection connection, String providerResourceId, String idempotencyKey);

    /** The provider's view of a resource, empty when it does not exist (any more). */
    Optional<ProviderResource> describe(DockConnection connection, String providerResourceId);
}
