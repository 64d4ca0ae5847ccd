package io.phasegate.command.dock;

import io.phasegate.command.adapter.AdapterException;
import io.phasegate.command.adapter.DockAdapter;
import io.phasegate.command.adapter.DockConnection;
import io.phasegate.command.adapter.ProviderResource;
import io.phasegate.command.adapter.ResourceRequest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real (in-process) adapter for the dock tests, provider {@value #PROVIDER}. It accepts credentials whose
 * {@code api_key} starts with {@code good-}; {@code api_key} {@code slow-…} never answers in time; anything else is
 * rejected with a message that echoes the key (a misbehaving adapter, to prove the echo is scrubbed). Settings with
 * {@code region=nowhere} are refused. It records the connections it validated.
 */
public class TestDockAdapter implements DockAdapter {

    public static final String PROVIDER = "test-dock";

    public final List<DockConnection> validated = new CopyOnWriteArrayList<>();

    @Override
    public String provider() {
        return PROVIDER;
    }

    @Override
    public void checkSettings(Map<String, String> settings) {
        if ("nowhere".equals(settings.get("region"))) {
            throw AdapterException.permanentFailure("invalid_region", "The region 'nowhere' does not exist.");
        }
    }

    @Override
    public void validateCredentials(DockConnection connection) {
        validated.add(connection);
        String key = connection.credentials().getOrDefault("api_key", "");
        if (key.startsWith("slow-")) {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        if (!key.startsWith("good-")) {
            throw AdapterException.permanentFailure("invalid_credentials", "The api key " + key + " is not valid.");
        }
    }

    @Override
    public ProviderResource provision(DockConnection connection, ResourceRequest request) {
        throw new UnsupportedOperationException();
    }

    @Override
    public ProviderResource update(DockConnection connection, String providerResourceId, ResourceRequest request) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void deprovision(DockConnection connection, String providerResourceId, String idempotencyKey) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Optional<ProviderResource> describe(DockConnection connection, String providerResourceId) {
        return Optional.empty();
    }
}
