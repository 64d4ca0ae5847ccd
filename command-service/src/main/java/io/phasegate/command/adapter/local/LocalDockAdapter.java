package io.phasegate.command.adapter.local;

import io.phasegate.command.adapter.AdapterException;
import io.phasegate.command.adapter.DockAdapter;
import io.phasegate.command.adapter.DockConnection;
import io.phasegate.command.adapter.ProviderResource;
import io.phasegate.command.adapter.ResourceRequest;
import io.phasegate.command.adapter.local.LocalResourceStore.KeyRecord;
import io.phasegate.command.adapter.local.LocalResourceStore.StoredResource;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The built-in {@code local} provider (SPEC §2.7): a real in-process provider that keeps its resources on disk, for
 * the embedded mode, demos and tests. See {@code docs/adapters.md} for settings, the credential rule and failure
 * injection.
 *
 * <p>Idempotency: a provision's resource id is derived from organisation, dock and idempotency key, and every key is
 * recorded on disk, so repeating a call with the same key — concurrently, after a failure, or in a new JVM — yields
 * the one resource the first successful call created. Calls on one resource (hence one provision key) are serialised
 * by a striped lock; delays are served before taking it.
 */
@Component
@EnableConfigurationProperties(LocalProviderProperties.class)
public class LocalDockAdapter implements DockAdapter {

    public static final String PROVIDER = "local";
    static final String OP_PROVISION = "provision";
    static final String OP_UPDATE = "update";
    static final String OP_DEPROVISION = "deprovision";

    private static final Logger log = LoggerFactory.getLogger(LocalDockAdapter.class);
    private static final int LOCK_STRIPES = 64;
    private static final int MAX_KEY_LENGTH = 512;

    private final LocalProviderProperties properties;
    private final LocalResourceStore store;
    private final Clock clock;
    private final ReentrantLock[] locks = new ReentrantLock[LOCK_STRIPES];

    @Autowired
    public LocalDockAdapter(LocalProviderProperties properties) {
        this(properties, Clock.systemUTC());
    }

    LocalDockAdapter(LocalProviderProperties properties, Clock clock) {
        this.properties = properties;
        this.store = new LocalResourceStore(properties.directoryPath());
        this.clock = clock;
        for (int i = 0; i < LOCK_STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    @Override
    public String provider() {
        return PROVIDER;
    }

    /** The directory the resources are kept in. */
    public Path directory() {
        return store.root();
    }

    @Override
    public void checkSettings(Map<String, String> settings) {
        FailureInjection.fromConfiguration(properties).withSettings(settings == null ? Map.of() : settings);
    }

    /**
     * Accepts credentials whose {@code api_key} (or the configured field) is present, not blank and does not start
     * with {@code invalid}; rejects the others permanently with {@code credentials_rejected}.
     */
    @Override
    public void validateCredentials(DockConnection connection) {
        delay(injection(connection).delayMillis());
        checkCredentials(connection);
    }

    @Override
    public ProviderResource provision(DockConnection connection, ResourceRequest request) {
        String key = requireKey(request.idempotencyKey());
        checkRequest(connection, request);
        FailureInjection injection = injection(connection).withSpec(request.spec());
        delay(injection.delayMillis());
        checkCredentials(connection);
        Path dock = store.dockDirectory(connection.orgId(), connection.dockId());
        String id = LocalResourceStore.resourceIdFor(connection.orgId(), connection.dockId(), key);
        return locked(dock, id, () -> {
            Optional<KeyRecord> record = store.readKey(dock, OP_PROVISION, key);
            Optional<StoredResource> existing = store.readResource(dock, id);
            if (existing.isPresent()) {
                if (record.isEmpty() || !record.get().completed()) {
                    complete(dock, OP_PROVISION, key, record, id);
                }
                log.debug("local provider: provision {} repeated, resource {} exists", key, id);
                return toProviderResource(existing.get());
            }
            if (record.isPresent() && record.get().completed()) {
                throw AdapterException.permanentFailure("resource_deprovisioned",
                        "the resource this idempotency key provisioned (" + id + ") has been deprovisioned");
            }
            countAttempt(dock, OP_PROVISION, key, record, injection);
            String now = clock.instant().toString();
            StoredResource resource = new StoredResource(id, connection.orgId(), connection.dockId(),
                    request.resourceId(), request.type().wire(), request.name(), storedSpec(request.spec()),
                    attributes(id, request, 1), 1, key, null, now, now);
            store.writeResource(dock, resource);
            complete(dock, OP_PROVISION, key, record, id);
            log.debug("local provider: provisioned {} for resource {}", id, request.resourceId());
            return toProviderResource(resource);
        });
    }

    @Override
    public ProviderResource update(DockConnection connection, String providerResourceId, ResourceRequest request) {
        String key = requireKey(request.idempotencyKey());
        checkRequest(connection, request);
        if (providerResourceId == null || !LocalResourceStore.RESOURCE_ID.matcher(providerResourceId).matches()) {
            throw AdapterException.permanentFailure("resource_not_found",
                    "the local provider has no resource with that id");
        }
        FailureInjection injection = injection(connection).withSpec(request.spec());
        delay(injection.delayMillis());
        checkCredentials(connection);
        Path dock = store.dockDirectory(connection.orgId(), connection.dockId());
        return locked(dock, providerResourceId, () -> {
            StoredResource current = store.readResource(dock, providerResourceId).orElseThrow(() ->
                    AdapterException.permanentFailure("resource_not_found",
                            "the local provider has no resource " + providerResourceId));
            Optional<KeyRecord> record = store.readKey(dock, OP_UPDATE, key);
            if (record.isPresent() && record.get().completed()) {
                return toProviderResource(current);
            }
            countAttempt(dock, OP_UPDATE, key, record, injection);
            Map<String, Object> spec = storedSpec(request.spec());
            boolean changed = !spec.equals(current.spec()) || !request.name().equals(current.name());
            int revision = changed ? current.revision() + 1 : current.revision();
            StoredResource updated = new StoredResource(current.providerResourceId(), current.orgId(),
                    current.dockId(), current.resourceId(), current.type(), request.name(), spec,
                    attributes(current.providerResourceId(), request, revision), revision,
                    current.idempotencyKey(), key, current.createdAt(), clock.instant().toString());
            store.writeResource(dock, updated);
            complete(dock, OP_UPDATE, key, record, providerResourceId);
            return toProviderResource(updated);
        });
    }

    @Override
    public void deprovision(DockConnection connection, String providerResourceId, String idempotencyKey) {
        String key = requireKey(idempotencyKey);
        if (providerResourceId == null || !LocalResourceStore.RESOURCE_ID.matcher(providerResourceId).matches()) {
            throw AdapterException.permanentFailure("invalid_resource_id",
                    "not a resource id of the local provider");
        }
        FailureInjection injection = injection(connection);
        delay(injection.delayMillis());
        checkCredentials(connection);
        Path dock = store.dockDirectory(connection.orgId(), connection.dockId());
        locked(dock, providerResourceId, () -> {
            Optional<KeyRecord> record = store.readKey(dock, OP_DEPROVISION, key);
            if (record.isPresent() && record.get().completed()) {
                return null;
            }
            if (store.readResource(dock, providerResourceId).isPresent()) {
                countAttempt(dock, OP_DEPROVISION, key, record, injection);
                store.deleteResource(dock, providerResourceId);
                log.debug("local provider: deprovisioned {}", providerResourceId);
            }
            complete(dock, OP_DEPROVISION, key, record, providerResourceId);
            return null;
        });
    }

    @Override
    public Optional<ProviderResource> describe(DockConnection connection, String providerResourceId) {
        delay(injection(connection).delayMillis());
        checkCredentials(connection);
        if (providerResourceId == null || !LocalResourceStore.RESOURCE_ID.matcher(providerResourceId).matches()) {
            return Optional.empty();
        }
        Path dock = store.dockDirectory(connection.orgId(), connection.dockId());
        return store.readResource(dock, providerResourceId).map(LocalDockAdapter::toProviderResource);
    }

    // ------------------------------------------------------------------------------------------------- helpers

    private FailureInjection injection(DockConnection connection) {
        return FailureInjection.fromConfiguration(properties).withSettings(connection.settings());
    }

    private void checkCredentials(DockConnection connection) {
        String field = properties.credentialField();
        String value = connection.credentials().get(field);
        if (value == null || value.isBlank()) {
            throw AdapterException.permanentFailure("credentials_rejected",
                    "the local provider rejected the credentials: '" + field + "' is missing or empty");
        }
        if (value.startsWith("invalid")) {
            throw AdapterException.permanentFailure("credentials_rejected",
                    "the local provider rejected the credentials: '" + field + "' is marked invalid");
        }
    }

    private static String requireKey(String key) {
        if (key == null || key.isBlank() || key.length() > MAX_KEY_LENGTH) {
            throw AdapterException.permanentFailure("invalid_request",
                    "an idempotency key of 1 to " + MAX_KEY_LENGTH + " characters is required");
        }
        return key;
    }

    private static void checkRequest(DockConnection connection, ResourceRequest request) {
        if (request.type() == null || request.name() == null || request.name().isBlank()) {
            throw AdapterException.permanentFailure("invalid_request", "a resource type and name are required");
        }
        if (request.orgId() != null && !request.orgId().equals(connection.orgId())) {
            throw AdapterException.permanentFailure("invalid_request",
                    "the resource belongs to another organisation than the dock");
        }
    }

    private void countAttempt(Path dock, String operation, String key, Optional<KeyRecord> record,
                              FailureInjection injection) {
        int attempt = record.map(KeyRecord::attempts).orElse(0) + 1;
        store.writeKey(dock, new KeyRecord(operation, key, attempt, record.map(KeyRecord::providerResourceId)
                .orElse(null), false, null));
        AdapterException failure = injection.failureOf(operation, attempt);
        if (failure != null) {
            log.info("local provider: injected {} failure of {} (attempt {})",
                    failure.retryable() ? "transient" : "permanent", operation, attempt);
            throw failure;
        }
    }

    private void complete(Path dock, String operation, String key, Optional<KeyRecord> record, String id) {
        int attempts = Math.max(1, record.map(KeyRecord::attempts).orElse(0));
        store.writeKey(dock, new KeyRecord(operation, key, attempts, id, true, clock.instant().toString()));
    }

    private <T> T locked(Path dock, String id, Supplier<T> action) {
        ReentrantLock lock = locks[Math.floorMod((dock + "/" + id).hashCode(), LOCK_STRIPES)];
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    private static void delay(long millis) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw AdapterException.transientFailure("interrupted", "the local provider call was interrupted");
        }
    }

    /** The spec as stored: without the {@code _inject} member, which steers this call and is not part of it. */
    private static Map<String, Object> storedSpec(Map<String, Object> spec) {
        Map<String, Object> stored = new TreeMap<>(spec);
        stored.remove(FailureInjection.SPEC_MEMBER);
        return stored;
    }

    private static Map<String, String> attributes(String id, ResourceRequest request, int revision) {
        Map<String, String> attributes = new LinkedHashMap<>();
        String slug = slug(request.name());
        String suffix = id.substring(id.length() - 6);
        attributes.put("status", "running");
        attributes.put("provider", PROVIDER);
        attributes.put("type", request.type().wire());
        attributes.put("name", request.name());
        attributes.put("revision", Integer.toString(revision));
        switch (request.type()) {
            case SERVER -> attributes.put("address", "10." + Integer.parseInt(suffix.substring(0, 2), 16) + "."
                    + Integer.parseInt(suffix.substring(2, 4), 16) + "." + Integer.parseInt(suffix.substring(4, 6), 16));
            case WEB_SERVICE -> attributes.put("url", "https://" + slug + "-" + suffix + ".local.phasegate.test");
            case DATABASE -> attributes.put("endpoint", slug + "-" + suffix + ".db.local.phasegate.test:5432");
            case DOMAIN -> attributes.put("domain", slug + ".local.phasegate.test");
        }
        return attributes;
    }

    private static String slug(String name) {
        String slug = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-+|-+$)", "");
        if (slug.isEmpty()) {
            slug = "resource";
        }
        return slug.length() > 40 ? slug.substring(0, 40) : slug;
    }

    private static ProviderResource toProviderResource(StoredResource resource) {
        return new ProviderResource(resource.providerResourceId(), resource.attributes());
    }
}
