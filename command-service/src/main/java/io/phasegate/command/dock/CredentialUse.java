package io.phasegate.command.dock;

import io.phasegate.events.dock.EncryptedCredential;
import java.util.Map;

/**
 * What {@code RecordCredentialUseCommand} answers once the use is recorded: the dock's non-secret facts and the
 * ciphertext of the requested version, which the caller then decrypts.
 */
record CredentialUse(String provider, Map<String, String> settings, EncryptedCredential credential) {
}
