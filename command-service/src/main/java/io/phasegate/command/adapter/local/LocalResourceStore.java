package io.phasegate.command.adapter.local;

import io.phasegate.command.adapter.AdapterException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The local provider's files: {@code <root>/<org>/<dock>/resources/<provider id>.json} per resource and
 * {@code <root>/<org>/<dock>/keys/<operation>-<sha256(key)>.json} per idempotency key. Every write goes to a temporary
 * file in the same directory that is flushed and then moved over the target, so a reader (or a restarted JVM) sees
 * either the old or the new content, never a partial file. Callers serialise access per resource.
 */
final class LocalResourceStore {

    static final Pattern RESOURCE_ID = Pattern.compile("loc-[0-9a-f]{24}");
    private static final Pattern SAFE_SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,99}");
    private static final String TEMP_PREFIX = ".tmp-";

    private final Path root;
    private final JsonMapper json = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    LocalResourceStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    Path root() {
        return root;
    }

    /** One resource as the local provider keeps it. */
    record StoredResource(String providerResourceId, String orgId, String dockId, String resourceId, String type,
                          String name, Map<String, Object> spec, Map<String, String> attributes, int revision,
                          String idempotencyKey, String lastUpdateKey, String createdAt, String updatedAt) {
    }

    /** What the provider remembers of one idempotency key: attempts so far and whether the operation completed. */
    record KeyRecord(String operation, String idempotencyKey, int attempts, String providerResourceId,
                     boolean completed, String completedAt) {
    }

    /** The provider's resource id for a provision: derived from the key, so a crash between writes cannot fork it. */
    static String resourceIdFor(String orgId, String dockId, String idempotencyKey) {
        return "loc-" + sha256Hex(orgId + '\u0000' + dockId + '\u0000' + idempotencyKey).substring(0, 24);
    }

    Path dockDirectory(String orgId, String dockId) {
        return root.resolve(segment(orgId)).resolve(segment(dockId));
    }

    Optional<StoredResource> readResource(Path dock, String providerResourceId) {
        return read(resourceFile(dock, providerResourceId), StoredResource.class);
    }

    void writeResource(Path dock, StoredResource resource) {
        write(resourceFile(dock, resource.providerResourceId()), resource);
    }

    /** Removes a resource's file; false when there was none. */
    boolean deleteResource(Path dock, String providerResourceId) {
        try {
            return Files.deleteIfExists(resourceFile(dock, providerResourceId));
        } catch (IOException e) {
            throw storageFailure(e);
        }
    }

    Optional<KeyRecord> readKey(Path dock, String operation, String idempotencyKey) {
        return read(keyFile(dock, operation, idempotencyKey), KeyRecord.class);
    }

    void writeKey(Path dock, KeyRecord record) {
        write(keyFile(dock, record.operation(), record.idempotencyKey()), record);
    }

    private Path resourceFile(Path dock, String providerResourceId) {
        if (!RESOURCE_ID.matcher(providerResourceId).matches()) {
            throw new IllegalArgumentException("not a local provider resource id");
        }
        return dock.resolve("resources").resolve(providerResourceId + ".json");
    }

    private static Path keyFile(Path dock, String operation, String idempotencyKey) {
        return dock.resolve("keys").resolve(operation + "-" + sha256Hex(idempotencyKey) + ".json");
    }

    /** An organisation or dock id as a directory name: itself when plainly safe, otherwise its hash. */
    static String segment(String id) {
        return SAFE_SEGMENT.matcher(id).matches() ? id : "h-" + sha256Hex(id);
    }

    private <T> Optional<T> read(Path file, Class<T> type) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw storageFailure(e);
        }
        try {
            return Optional.of(json.readValue(bytes, type));
        } catch (JacksonException e) {
            throw AdapterException.permanentFailure("local_store_corrupt",
                    "the local provider cannot read its file " + root.relativize(file));
        }
    }

    private void write(Path file, Object value) {
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(value);
        } catch (JacksonException e) {
            throw AdapterException.permanentFailure("invalid_spec", "the spec is not JSON data");
        }
        Path directory = file.getParent();
        Path temp = null;
        try {
            Files.createDirectories(directory);
            temp = Files.createTempFile(directory, TEMP_PREFIX, ".json");
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            temp = null;
        } catch (IOException e) {
            throw storageFailure(e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // a stray temporary file is ignored by readers
                }
            }
        }
    }

    private static AdapterException storageFailure(IOException e) {
        return new AdapterException("local_store_unavailable",
                "the local provider could not access its storage (" + e.getClass().getSimpleName() + ")", true, e);
    }

    static String sha256Hex(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
