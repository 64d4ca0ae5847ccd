package io.phasegate.command.crypto;

import io.phasegate.command.crypto.DataKeyStore.StoredDataKey;
import io.phasegate.events.dock.DockCredentials;
import io.phasegate.events.dock.EncryptedCredential;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Envelope encryption of dock credentials (SPEC §2.6, docs/adr/0009-dock-credentials.md):
 * <ul>
 *   <li>each dock has a random AES-256 data key, stored in a {@link DataKeyStore} outside the event store, wrapped
 *   (AES-256-GCM) by the current version of the {@link MasterKeys}, with data key id, organisation and dock as
 *   associated data;</li>
 *   <li>each credential version is the canonical JSON of its map (keys sorted), encrypted with AES-256-GCM under
 *   the data key, with organisation, dock and credential version as associated data;</li>
 *   <li>destroying the data key makes every ciphertext under it unreadable (crypto-shredding).</li>
 * </ul>
 * Exceptions and log lines name key ids and versions only, never key material or plaintext.
 */
public class EnvelopeEncryption {

    private static final Logger log = LoggerFactory.getLogger(EnvelopeEncryption.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<TreeMap<String, String>> MAP = new TypeReference<>() {
    };
    static final String DATA_KEY_AAD_LABEL = "phasegate/dock-data-key/v1";
    static final String CREDENTIAL_AAD_LABEL = "phasegate/dock-credential/v1";

    private final MasterKeys masterKeys;
    private final DataKeyStore store;
    private final Clock clock;

    public EnvelopeEncryption(MasterKeys masterKeys, DataKeyStore store, Clock clock) {
        this.masterKeys = masterKeys;
        this.store = store;
        this.clock = clock;
    }

    /**
     * Generates a data key for a dock, wraps it with the current master key and stores it (inside a command handler:
     * in the transaction that appends the dock's first event).
     *
     * @return the data key id
     * @throws DataKeyStore.DataKeyConflictException when the dock already has one
     */
    public String createDataKey(String orgId, String dockId) {
        String dataKeyId = "dk-" + UUID.randomUUID();
        byte[] dataKey = AesGcm.newKey();
        try {
            Map.Entry<Integer, byte[]> master = masterKeys.current();
            String wrapped = wrap(master.getValue(), dataKeyId, orgId, dockId, dataKey);
            Arrays.fill(master.getValue(), (byte) 0);
            store.insert(new StoredDataKey(dataKeyId, dockId, orgId, wrapped, master.getKey(), clock.instant(), null));
            return dataKeyId;
        } finally {
            Arrays.fill(dataKey, (byte) 0);
        }
    }

    /** Encrypts one credential version under the dock's data key. */
    public EncryptedCredential encrypt(String dataKeyId, String orgId, String dockId, int version,
                                       DockCredentials credentials) {
        byte[] dataKey = unwrap(dataKeyId, orgId, dockId);
        byte[] plaintext = canonical(credentials);
        try {
            byte[] nonce = AesGcm.newNonce();
            byte[] ciphertext = AesGcm.encrypt(dataKey, nonce, credentialAad(orgId, dockId, version), plaintext);
            return new EncryptedCredential(version, dataKeyId, AesGcm.ALGORITHM,
                    Base64.getEncoder().encodeToString(nonce), Base64.getEncoder().encodeToString(ciphertext));
        } catch (GeneralSecurityException e) {
            throw new CredentialCryptoException("Cannot encrypt credential version " + version + " of dock " + dockId
                    + " with data key " + dataKeyId, e);
        } finally {
            Arrays.fill(dataKey, (byte) 0);
            Arrays.fill(plaintext, (byte) 0);
        }
    }

    /**
     * Decrypts a credential version of the dock {@code dockId} of {@code orgId}. Fails when the ciphertext belongs to
     * another organisation, dock or version, was tampered with, or its data key was destroyed.
     */
    public DockCredentials decrypt(EncryptedCredential credential, String orgId, String dockId) {
        if (!AesGcm.ALGORITHM.equals(credential.algorithm())) {
            throw new CredentialCryptoException("Unsupported algorithm for credential version "
                    + credential.version() + " of dock " + dockId);
        }
        byte[] dataKey = unwrap(credential.dataKeyId(), orgId, dockId);
        byte[] plaintext = null;
        try {
            plaintext = AesGcm.decrypt(dataKey, Base64.getDecoder().decode(credential.nonce()),
                    credentialAad(orgId, dockId, credential.version()),
                    Base64.getDecoder().decode(credential.ciphertext()));
            return new DockCredentials(JSON.readValue(plaintext, MAP));
        } catch (GeneralSecurityException | IllegalArgumentException | JacksonException e) {
            throw new CredentialCryptoException("Cannot decrypt credential version " + credential.version()
                    + " of dock " + dockId + " with data key " + credential.dataKeyId(),
                    e instanceof JacksonException ? null : e);
        } finally {
            Arrays.fill(dataKey, (byte) 0);
            if (plaintext != null) {
                Arrays.fill(plaintext, (byte) 0);
            }
        }
    }

    /** Destroys a data key (crypto-shredding); false when it was already destroyed or never existed. */
    public boolean destroyDataKey(String dataKeyId) {
        boolean destroyed = store.destroy(dataKeyId, clock.instant());
        if (destroyed) {
            log.info("Data key {} destroyed", dataKeyId);
        }
        return destroyed;
    }

    /** The master key version new data keys are wrapped with. */
    public int currentMasterKeyVersion() {
        return masterKeys.currentVersion();
    }

    /** Makes a new master key version current (appended to the key file); existing data keys are not rewrapped. */
    public int rotateMasterKey() {
        int version = masterKeys.rotate();
        log.info("Master key version {} is now current", version);
        return version;
    }

    /**
     * Rewraps every live data key that is not wrapped by the current master key version, online: one key at a time,
     * each update conditional on the version it was read with, so a concurrent deletion or rewrap wins.
     */
    public RewrapReport rewrapAll() {
        Map.Entry<Integer, byte[]> master = masterKeys.current();
        int current = master.getKey();
        int rewrapped = 0;
        int alreadyCurrent = 0;
        int destroyedSkipped = 0;
        int failed = 0;
        try {
            for (StoredDataKey key : store.all()) {
                if (key.destroyed()) {
                    destroyedSkipped++;
                } else if (key.masterKeyVersion() == current) {
                    alreadyCurrent++;
                } else {
                    byte[] dataKey = null;
                    try {
                        dataKey = unwrap(key);
                        String wrapped = wrap(master.getValue(), key.dataKeyId(), key.orgId(), key.dockId(), dataKey);
                        if (store.rewrap(key.dataKeyId(), key.masterKeyVersion(), wrapped, current)) {
                            rewrapped++;
                        } else if (store.find(key.dataKeyId()).map(StoredDataKey::destroyed).orElse(true)) {
                            destroyedSkipped++;
                        } else {
                            alreadyCurrent++;
                        }
                    } catch (RuntimeException e) {
                        failed++;
                        log.warn("Cannot rewrap data key {} (master key version {}): {}", key.dataKeyId(),
                                key.masterKeyVersion(), e.getMessage());
                    } finally {
                        if (dataKey != null) {
                            Arrays.fill(dataKey, (byte) 0);
                        }
                    }
                }
            }
        } finally {
            Arrays.fill(master.getValue(), (byte) 0);
        }
        RewrapReport report = new RewrapReport(current, rewrapped, alreadyCurrent, destroyedSkipped, failed);
        log.info("Data key rewrap to master key version {}: {} rewrapped, {} already current, {} destroyed skipped, "
                + "{} failed", current, rewrapped, alreadyCurrent, destroyedSkipped, failed);
        return report;
    }

    /** What a rewrap did. */
    public record RewrapReport(int masterKeyVersion, int rewrapped, int alreadyCurrent, int destroyedSkipped,
                               int failed) {

        public Map<String, Object> toBody() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("master_key_version", masterKeyVersion);
            body.put("rewrapped", rewrapped);
            body.put("already_current", alreadyCurrent);
            body.put("destroyed_skipped", destroyedSkipped);
            body.put("failed", failed);
            return body;
        }
    }

    // ----------------------------------------------------------------------------------------------------------

    private byte[] unwrap(String dataKeyId, String orgId, String dockId) {
        StoredDataKey key = store.find(dataKeyId)
                .orElseThrow(() -> new CredentialCryptoException("No data key " + dataKeyId));
        if (!key.orgId().equals(orgId) || !key.dockId().equals(dockId)) {
            throw new CredentialCryptoException("Data key " + dataKeyId + " belongs to another dock");
        }
        return unwrap(key);
    }

    private byte[] unwrap(StoredDataKey key) {
        if (key.destroyed()) {
            throw new DataKeyShreddedException(key.dataKeyId());
        }
        byte[] master = masterKeys.find(key.masterKeyVersion()).orElseThrow(() -> new CredentialCryptoException(
                "Master key version " + key.masterKeyVersion() + " of data key " + key.dataKeyId() + " is unknown"));
        try {
            byte[] wrapped = Base64.getDecoder().decode(key.wrappedKey());
            if (wrapped.length <= AesGcm.NONCE_BYTES) {
                throw new GeneralSecurityException("wrapped key too short");
            }
            return AesGcm.decrypt(master, Arrays.copyOf(wrapped, AesGcm.NONCE_BYTES),
                    dataKeyAad(key.dataKeyId(), key.orgId(), key.dockId()),
                    Arrays.copyOfRange(wrapped, AesGcm.NONCE_BYTES, wrapped.length));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new CredentialCryptoException("Cannot unwrap data key " + key.dataKeyId()
                    + " with master key version " + key.masterKeyVersion(), e);
        } finally {
            Arrays.fill(master, (byte) 0);
        }
    }

    private static String wrap(byte[] master, String dataKeyId, String orgId, String dockId, byte[] dataKey) {
        try {
            byte[] nonce = AesGcm.newNonce();
            byte[] ciphertext = AesGcm.encrypt(master, nonce, dataKeyAad(dataKeyId, orgId, dockId), dataKey);
            byte[] wrapped = new byte[nonce.length + ciphertext.length];
            System.arraycopy(nonce, 0, wrapped, 0, nonce.length);
            System.arraycopy(ciphertext, 0, wrapped, nonce.length, ciphertext.length);
            return Base64.getEncoder().encodeToString(wrapped);
        } catch (GeneralSecurityException e) {
            throw new CredentialCryptoException("Cannot wrap data key " + dataKeyId, e);
        }
    }

    static byte[] dataKeyAad(String dataKeyId, String orgId, String dockId) {
        return AesGcm.associatedData(DATA_KEY_AAD_LABEL, dataKeyId, orgId, dockId);
    }

    static byte[] credentialAad(String orgId, String dockId, int version) {
        return AesGcm.associatedData(CREDENTIAL_AAD_LABEL, orgId, dockId, Integer.toString(version));
    }

    /** The credential map as canonical JSON: an object with its keys sorted, UTF-8. */
    static byte[] canonical(DockCredentials credentials) {
        return JSON.writeValueAsString(new TreeMap<>(credentials.values())).getBytes(StandardCharsets.UTF_8);
    }
}
