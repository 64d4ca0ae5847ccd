package io.phasegate.command.crypto;

/**
 * Encryption or decryption of credentials or data keys failed. The message names the key ids involved (data key id,
 * master key version), never key material or plaintext.
 */
public class CredentialCryptoException extends RuntimeException {

    public CredentialCryptoException(String message) {
        super(message);
    }

    public CredentialCryptoException(String message, Throwable cause) {
        // the cause of a JCE failure carries no key material; keep only its type for diagnosis
        super(message + (cause == null ? "" : " (" + cause.getClass().getSimpleName() + ")"));
    }
}
