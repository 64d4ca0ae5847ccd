package io.phasegate.command.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.phasegate.command.crypto.DataKeyStore.StoredDataKey;
import io.phasegate.events.dock.DockCredentials;
import io.phasegate.events.dock.EncryptedCredential;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvelopeEncryptionTest {

    static final String SECRET = "planted-secret-" + java.util.UUID.randomUUID();
    static final DockCredentials CREDENTIALS = new DockCredentials(Map.of("api_key", SECRET, "region", "eu"));

    final Clock clock = Clock.systemUTC();
    MasterKeys masterKeys;
    InMemoryDataKeyStore store;
    EnvelopeEncryption encryption;
    String keyId;

    @BeforeEach
    void setUp() {
        masterKeys = MasterKeys.inMemory(clock);
        store = new InMemoryDataKeyStore();
        encryption = new EnvelopeEncryption(masterKeys, store, clock);
        keyId = encryption.createDataKey("acme", "dock-1");
    }

    @Test
    void encryptsToCiphertextThatRoundTripsAndHidesThePlaintext() {
        EncryptedCredential encrypted = encryption.encrypt(keyId, "acme", "dock-1", 1, CREDENTIALS);

        assertThat(encrypted.version()).isEqualTo(1);
        assertThat(encrypted.dataKeyId()).isEqualTo(keyId);
        assertThat(encrypted.algorithm()).isEqualTo("AES-256-GCM");
        assertThat(Base64.getDecoder().decode(encrypted.nonce())).hasSize(12);
        // canonical JSON plus a 16-byte tag
        assertThat(Base64.getDecoder().decode(encrypted.ciphertext()))
                .hasSize(EnvelopeEncryption.canonical(CREDENTIALS).length + 16);
        assertThat(encrypted.toString()).doesNotContain(SECRET);
        assertThat(new String(Base64.getDecoder().decode(encrypted.ciphertext()), StandardCharsets.ISO_8859_1))
                .doesNotContain(SECRET);
        assertThat(encryption.decrypt(encrypted, "acme", "dock-1").values()).isEqualTo(CREDENTIALS.values());
        // random nonces: the same plaintext encrypts differently
        assertThat(encryption.encrypt(keyId, "acme", "dock-1", 1, CREDENTIALS).ciphertext())
                .isNotEqualTo(encrypted.ciphertext());
        // the stored data key is wrapped, not the raw key, and is bound to its dock
        StoredDataKey stored = store.find(keyId).orElseThrow();
        assertThat(Base64.getDecoder().decode(stored.wrappedKey())).hasSize(12 + 32 + 16);
        assertThat(stored.masterKeyVersion()).isEqualTo(1);
        assertThat(stored.toString()).doesNotContain(stored.wrappedKey());
    }

    @Test
    void canonicalSerialisationSortsTheKeys() {
        assertThat(new String(EnvelopeEncryption.canonical(new DockCredentials(Map.of("b", "2", "a", "1"))),
                StandardCharsets.UTF_8)).isEqualTo("{\"a\":\"1\",\"b\":\"2\"}");
    }

    @Test
    void theAssociatedDataBindsOrganisationDockAndVersion() {
        EncryptedCredential encrypted = encryption.encrypt(keyId, "acme", "dock-1", 2, CREDENTIALS);
        // another version number in the envelope
        EncryptedCredential otherVersion = new EncryptedCredential(3, keyId, encrypted.algorithm(), encrypted.nonce(),
                encrypted.ciphertext());
        assertThatThrownBy(() -> encryption.decrypt(otherVersion, "acme", "dock-1"))
                .isInstanceOf(CredentialCryptoException.class)
                .hasMessageContaining(keyId).hasMessageNotContaining(SECRET);
        // another organisation or dock: the data key is not theirs
        assertThatThrownBy(() -> encryption.decrypt(encrypted, "other", "dock-1"))
                .isInstanceOf(CredentialCryptoException.class);
        assertThatThrownBy(() -> encryption.decrypt(encrypted, "acme", "dock-2"))
                .isInstanceOf(CredentialCryptoException.class);
    }

    @Test
    void theCredentialAadAloneRejectsAnotherOrganisationOrDock() throws Exception {
        // below the key lookup: the GCM tag itself fails when org, dock or version differ
        byte[] key = AesGcm.newKey();
        byte[] nonce = AesGcm.newNonce();
        byte[] ciphertext = AesGcm.encrypt(key, nonce, EnvelopeEncryption.credentialAad("acme", "dock-1", 1),
                "x".getBytes(StandardCharsets.UTF_8));
        assertThat(AesGcm.decrypt(key, nonce, EnvelopeEncryption.credentialAad("acme", "dock-1", 1), ciphertext))
                .isEqualTo("x".getBytes(StandardCharsets.UTF_8));
        for (byte[] aad : new byte[][]{EnvelopeEncryption.credentialAad("other", "dock-1", 1),
                EnvelopeEncryption.credentialAad("acme", "dock-2", 1),
                EnvelopeEncryption.credentialAad("acme", "dock-1", 2),
                // no ambiguity from concatenation
                EnvelopeEncryption.credentialAad("acmedock-1", "", 1)}) {
            assertThatThrownBy(() -> AesGcm.decrypt(key, nonce, aad, ciphertext))
                    .isInstanceOf(java.security.GeneralSecurityException.class);
        }
    }

    @Test
    void aTamperedCiphertextOrNonceIsRejected() {
        EncryptedCredential encrypted = encryption.encrypt(keyId, "acme", "dock-1", 1, CREDENTIALS);
        byte[] ciphertext = Base64.getDecoder().decode(encrypted.ciphertext());
        ciphertext[0] ^= 1;
        EncryptedCredential tampered = new EncryptedCredential(1, keyId, encrypted.algorithm(), encrypted.nonce(),
                Base64.getEncoder().encodeToString(ciphertext));
        assertThatThrownBy(() -> encryption.decrypt(tampered, "acme", "dock-1"))
                .isInstanceOf(CredentialCryptoException.class).hasMessageNotContaining(SECRET);

        byte[] nonce = Base64.getDecoder().decode(encrypted.nonce());
        nonce[11] ^= 1;
        EncryptedCredential otherNonce = new EncryptedCredential(1, keyId, encrypted.algorithm(),
                Base64.getEncoder().encodeToString(nonce), encrypted.ciphertext());
        assertThatThrownBy(() -> encryption.decrypt(otherNonce, "acme", "dock-1"))
                .isInstanceOf(CredentialCryptoException.class);

        // a wrapped data key that was tampered with does not unwrap
        StoredDataKey stored = store.find(keyId).orElseThrow();
        byte[] wrapped = Base64.getDecoder().decode(stored.wrappedKey());
        wrapped[20] ^= 1;
        store.put(new StoredDataKey(keyId, stored.dockId(), stored.orgId(),
                Base64.getEncoder().encodeToString(wrapped), 1, stored.createdAt(), null));
        assertThatThrownBy(() -> encryption.decrypt(encrypted, "acme", "dock-1"))
                .isInstanceOf(CredentialCryptoException.class).hasMessageContaining("unwrap data key " + keyId);
    }

    @Test
    void anotherDocksDataKeyOrAnotherMasterKeyCannotDecrypt() {
        EncryptedCredential encrypted = encryption.encrypt(keyId, "acme", "dock-1", 1, CREDENTIALS);
        String otherKey = encryption.createDataKey("acme", "dock-2");
        EncryptedCredential underOtherKey = new EncryptedCredential(1, otherKey, encrypted.algorithm(),
                encrypted.nonce(), encrypted.ciphertext());
        assertThatThrownBy(() -> encryption.decrypt(underOtherKey, "acme", "dock-1"))
                .isInstanceOf(CredentialCryptoException.class);
        assertThatThrownBy(() -> encryption.decrypt(underOtherKey, "acme", "dock-2"))
                .isInstanceOf(CredentialCryptoException.class);

        // the same data key rows under another master key (a different deployment) do not unwrap
        EnvelopeEncryption elsewhere = new EnvelopeEncryption(MasterKeys.inMemory(clock), store, clock);
        assertThatThrownBy(() -> elsewhere.decrypt(encrypted, "acme", "dock-1"))
                .isInstanceOf(CredentialCryptoException.class)
                .hasMessageContaining(keyId).hasMessageContaining("master key version 1");
    }

    @Test
    void aDestroyedDataKeyMakesTheCiphertextUnreadable() {
        EncryptedCredential encrypted = encryption.encrypt(keyId, "acme", "dock-1", 1, CREDENTIALS);
        assertThat(encryption.destroyDataKey(keyId)).isTrue();
        assertThat(encryption.destroyDataKey(keyId)).isFalse();

        assertThat(store.find(keyId).orElseThrow().wrappedKey()).isNull();
        assertThatThrownBy(() -> encryption.decrypt(encrypted, "acme", "dock-1"))
                .isInstanceOf(DataKeyShreddedException.class).hasMessageContaining(keyId);
        assertThatThrownBy(() -> encryption.encrypt(keyId, "acme", "dock-1", 2, CREDENTIALS))
                .isInstanceOf(DataKeyShreddedException.class);
        // the dock cannot get another key
        assertThatThrownBy(() -> encryption.createDataKey("acme", "dock-1"))
                .isInstanceOf(DataKeyStore.DataKeyConflictException.class);
    }

    @Test
    void aRewrapMovesLiveKeysToTheCurrentMasterKeyAndOldCiphertextStaysReadable() {
        EncryptedCredential first = encryption.encrypt(keyId, "acme", "dock-1", 1, CREDENTIALS);
        String secondKey = encryption.createDataKey("acme", "dock-2");
        EncryptedCredential second = encryption.encrypt(secondKey, "acme", "dock-2", 1, CREDENTIALS);
        String shredded = encryption.createDataKey("acme", "dock-3");
        encryption.destroyDataKey(shredded);
        String wrappedBefore = store.find(keyId).orElseThrow().wrappedKey();

        assertThat(encryption.rotateMasterKey()).isEqualTo(2);
        // new keys are wrapped by version 2 right away
        String fresh = encryption.createDataKey("acme", "dock-4");
        assertThat(store.find(fresh).orElseThrow().masterKeyVersion()).isEqualTo(2);

        EnvelopeEncryption.RewrapReport report = encryption.rewrapAll();
        assertThat(report).isEqualTo(new EnvelopeEncryption.RewrapReport(2, 2, 1, 1, 0));
        assertThat(store.find(keyId).orElseThrow().masterKeyVersion()).isEqualTo(2);
        assertThat(store.find(keyId).orElseThrow().wrappedKey()).isNotEqualTo(wrappedBefore);
        assertThat(encryption.decrypt(first, "acme", "dock-1").values()).isEqualTo(CREDENTIALS.values());
        assertThat(encryption.decrypt(second, "acme", "dock-2").values()).isEqualTo(CREDENTIALS.values());

        // a second rewrap has nothing to do
        assertThat(encryption.rewrapAll()).isEqualTo(new EnvelopeEncryption.RewrapReport(2, 0, 3, 1, 0));
    }

    @Test
    void aKeyThatCannotBeUnwrappedIsCountedAsFailedAndTheOthersAreRewrapped() {
        StoredDataKey stored = store.find(keyId).orElseThrow();
        store.put(new StoredDataKey(keyId, stored.dockId(), stored.orgId(), stored.wrappedKey(), 9,
                stored.createdAt(), null)); // a master key version nobody has
        encryption.createDataKey("acme", "dock-2");
        encryption.rotateMasterKey();
        assertThat(encryption.rewrapAll()).isEqualTo(new EnvelopeEncryption.RewrapReport(2, 1, 0, 0, 1));
    }

    @Test
    void theMasterKeyFileIsGeneratedOwnerOnlyRotatedByAppendingAndReloaded(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("keys/master-keys.json");
        assertThatThrownBy(() -> MasterKeys.loadOrCreate(file, false, clock))
                .isInstanceOf(IllegalStateException.class);
        MasterKeys keys = MasterKeys.loadOrCreate(file, true, clock);
        assertThat(keys.versions()).containsExactly(1);
        assertThat(keys.currentVersion()).isEqualTo(1);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        byte[] first = keys.find(1).orElseThrow();

        MasterKeys sameFile = MasterKeys.loadOrCreate(file, false, clock);
        assertThat(sameFile.find(1).orElseThrow()).isEqualTo(first);

        assertThat(keys.rotate()).isEqualTo(2);
        String text = Files.readString(file);
        assertThat(text).contains("\"current_version\" : 2");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(MasterKeys.loadOrCreate(file, false, clock).versions()).containsExactly(1, 2);
        assertThat(MasterKeys.loadOrCreate(file, false, clock).find(1).orElseThrow()).isEqualTo(first);
        // another process learns of version 2 when it needs it
        assertThat(sameFile.currentVersion()).isEqualTo(1);
        assertThat(sameFile.find(2)).isPresent();
        assertThat(sameFile.currentVersion()).isEqualTo(2);
        // no key material in toString
        assertThat(keys.toString()).doesNotContain(Base64.getEncoder().encodeToString(first));
    }

    @Test
    void aBrokenMasterKeyFileIsRefusedWithoutShowingKeys(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("master-keys.json");
        String shortKey = Base64.getEncoder().encodeToString(new byte[16]);
        Files.writeString(file, "{\"current_version\":1,\"keys\":[{\"version\":1,\"key\":\"" + shortKey + "\"}]}");
        assertThatThrownBy(() -> MasterKeys.loadOrCreate(file, false, clock))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not a 256-bit key").hasMessageNotContaining(shortKey);
        String key = Base64.getEncoder().encodeToString(new byte[32]);
        Files.writeString(file, "{\"current_version\":3,\"keys\":[{\"version\":1,\"key\":\"" + key + "\"},"
                + "{\"version\":2,\"key\":\"" + key + "\"}]}");
        assertThatThrownBy(() -> MasterKeys.loadOrCreate(file, false, clock))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("current_version");
    }
}
