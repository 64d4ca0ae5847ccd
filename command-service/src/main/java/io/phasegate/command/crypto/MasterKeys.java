package io.phasegate.command.crypto;

import io.phasegate.platform.identity.JwkFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The versioned master keys (key-encryption keys) that wrap the per-dock data keys (SPEC §2.6).
 *
 * <p>File format ({@code phasegate.credentials.master-keys-file}, written atomically with owner-only permissions):
 * <pre>{"current_version": 2,
 *  "keys": [{"version": 1, "key": "&lt;base64 of 32 random bytes&gt;", "created_at": "2025-06-01T12:00:00Z"},
 *           {"version": 2, "key": "…", "created_at": "…"}]}</pre>
 * New data keys are wrapped with the current version; older versions stay to unwrap data keys until they are
 * rewrapped. {@link #rotate()} appends a version and makes it current.
 *
 * <p>Thread-safe: readers see an immutable snapshot; rotations are serialised and persist before they switch. Another
 * process sharing the file sees a rotation when it next needs a version it does not know ({@link #find(int)} reloads
 * the file once). Key material never appears in an exception message, log line or {@link #toString()}.
 */
public final class MasterKeys {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private record Ring(Map<Integer, byte[]> keys, Map<Integer, Instant> created, int current) {
    }

    private final Path file;
    private final Clock clock;
    private volatile Ring ring;

    private MasterKeys(Path file, Clock clock, Ring ring) {
        this.file = file;
        this.clock = clock;
        this.ring = ring;
    }

    /**
     * Loads the master keys from {@code file}; when it is missing and {@code generateIfMissing}, first writes a file
     * with one freshly generated version.
     *
     * @throws IllegalStateException when the file is missing and may not be generated, or is not a valid key file
     */
    public static MasterKeys loadOrCreate(Path file, boolean generateIfMissing, Clock clock) {
        try {
            if (!Files.exists(file)) {
                if (!generateIfMissing) {
                    throw new IllegalStateException("Master key file " + file + " does not exist");
                }
                Ring ring = new Ring(Map.of(1, AesGcm.newKey()), Map.of(1, clock.instant()), 1);
                persist(file, ring);
                return new MasterKeys(file, clock, ring);
            }
            return new MasterKeys(file, clock, parse(Files.readString(file), file.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or write master key file " + file, e);
        }
    }

    /** One fresh master key that lives only in memory (tests). */
    public static MasterKeys inMemory(Clock clock) {
        return new MasterKeys(null, clock, new Ring(Map.of(1, AesGcm.newKey()), Map.of(1, clock.instant()), 1));
    }

    /** The version new data keys are wrapped with. */
    public int currentVersion() {
        return ring.current();
    }

    /** Every version, oldest first. */
    public List<Integer> versions() {
        return List.copyOf(ring.keys().keySet());
    }

    /** The current version and its key, read together. */
    Map.Entry<Integer, byte[]> current() {
        Ring r = ring;
        return Map.entry(r.current(), r.keys().get(r.current()).clone());
    }

    /** The key of a version; reloads the file once when this process does not know the version (yet). */
    Optional<byte[]> find(int version) {
        byte[] key = ring.keys().get(version);
        if (key == null && file != null) {
            reload();
            key = ring.keys().get(version);
        }
        return Optional.ofNullable(key).map(byte[]::clone);
    }

    /** Re-reads the key file (another instance rotated). */
    public synchronized void reload() {
        if (file == null || !Files.exists(file)) {
            return;
        }
        try {
            Ring loaded = parse(Files.readString(file), file.toString());
            if (loaded.keys().keySet().containsAll(ring.keys().keySet())) {
                ring = loaded;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read master key file " + file, e);
        }
    }

    /**
     * Generates a new master key version, appends it to the file and makes it current. Data keys wrapped with older
     * versions stay readable; rewrap them to move them to the new version.
     *
     * @return the new current version
     */
    public synchronized int rotate() {
        reload();
        Ring r = ring;
        int next = r.keys().keySet().stream().mapToInt(Integer::intValue).max().orElse(0) + 1;
        Map<Integer, byte[]> keys = new TreeMap<>(r.keys());
        keys.put(next, AesGcm.newKey());
        Map<Integer, Instant> created = new TreeMap<>(r.created());
        created.put(next, clock.instant());
        Ring rotated = new Ring(Collections.unmodifiableMap(keys), Collections.unmodifiableMap(created), next);
        if (file != null) {
            try {
                persist(file, rotated);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot write master key file " + file, e);
            }
        }
        ring = rotated;
        return next;
    }

    @Override
    public String toString() {
        return "MasterKeys[versions=" + versions() + ", current=" + currentVersion() + " (keys redacted)]";
    }

    private static Ring parse(String text, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JacksonException e) {
            throw new IllegalStateException("Master key file " + source + " is not valid JSON");
        }
        if (!root.isObject() || !root.path("keys").isArray() || root.path("keys").isEmpty()) {
            throw new IllegalStateException("Master key file " + source + " must hold a non-empty \"keys\" array");
        }
        Map<Integer, byte[]> keys = new TreeMap<>();
        Map<Integer, Instant> created = new TreeMap<>();
        for (JsonNode entry : root.path("keys")) {
            JsonNode version = entry.path("version");
            if (!version.isIntegralNumber() || version.asInt() < 1 || keys.containsKey(version.asInt())) {
                throw new IllegalStateException("Every key in master key file " + source
                        + " needs its own positive integer \"version\"");
            }
            byte[] key;
            try {
                key = Base64.getDecoder().decode(entry.path("key").asString(""));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("Master key version " + version.asInt() + " in " + source
                        + " is not base64");
            }
            if (key.length != AesGcm.KEY_BYTES) {
                throw new IllegalStateException("Master key version " + version.asInt() + " in " + source
                        + " is not a 256-bit key");
            }
            keys.put(version.asInt(), key);
            String createdAt = entry.path("created_at").asString(null);
            created.put(version.asInt(), createdAt == null ? Instant.EPOCH : Instant.parse(createdAt));
        }
        JsonNode current = root.path("current_version");
        int currentVersion;
        if (current.isMissingNode() && keys.size() == 1) {
            currentVersion = keys.keySet().iterator().next();
        } else if (current.isIntegralNumber() && keys.containsKey(current.asInt())) {
            currentVersion = current.asInt();
        } else {
            throw new IllegalStateException("Master key file " + source
                    + " must name one of its versions in \"current_version\"");
        }
        return new Ring(Collections.unmodifiableMap(keys), Collections.unmodifiableMap(created), currentVersion);
    }

    private static void persist(Path file, Ring ring) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("current_version", ring.current());
        ArrayNode keys = root.putArray("keys");
        ring.keys().forEach((version, key) -> keys.addObject()
                .put("version", version)
                .put("key", Base64.getEncoder().encodeToString(key))
                .put("created_at", ring.created().getOrDefault(version, Instant.EPOCH).toString()));
        JwkFiles.writeAtomically(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
    }
}
