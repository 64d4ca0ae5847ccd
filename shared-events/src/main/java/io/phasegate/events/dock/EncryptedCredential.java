package io.phasegate.events.dock;

/**
 * One version of a dock's credentials, encrypted (envelope encryption, SPEC §2.6): AES-256-GCM under the dock's data
 * key, with the organisation, dock and credential version bound as associated data. The data key itself lives outside
 * the event store, wrapped by a versioned master key; deleting the dock destroys it.
 *
 * @param version    the credential version (1, 2, ...), part of the associated data
 * @param dataKeyId  which data key encrypts it
 * @param algorithm  {@code AES-256-GCM}
 * @param nonce      base64 of the 96-bit GCM nonce
 * @param ciphertext base64 of ciphertext and tag
 */
public record EncryptedCredential(int version, String dataKeyId, String algorithm, String nonce, String ciphertext) {
}
