package io.phasegate.command.crypto;

/** The data key was destroyed (its dock was deleted): ciphertext under it can no longer be decrypted. */
public class DataKeyShreddedException extends CredentialCryptoException {

    public DataKeyShreddedException(String dataKeyId) {
        super("Data key " + dataKeyId + " was destroyed; its ciphertext cannot be decrypted");
    }
}
