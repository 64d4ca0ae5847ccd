package io.phasegate.command.crypto;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM with the JDK's {@code AES/GCM/NoPadding}: random 96-bit nonces, 128-bit tags. A failed decryption
 * (wrong key, other associated data, tampered nonce or ciphertext) throws {@link GeneralSecurityException}.
 */
final class AesGcm {

    static final String ALGORITHM = "AES-256-GCM";
    static final int KEY_BYTES = 32;
    static final int NONCE_BYTES = 12;
    static final int TAG_BITS = 128;

    private static final SecureRandom RANDOM = new SecureRandom();

    private AesGcm() {
    }

    /** A fresh random 256-bit key. */
    static byte[] newKey() {
        try {
            KeyGenerator generator = KeyGenerator.getInstance("AES");
            generator.init(KEY_BYTES * 8, RANDOM);
            return generator.generateKey().getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256 is not available", e);
        }
    }

    static byte[] newNonce() {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        return nonce;
    }

    /** Ciphertext with the tag appended. */
    static byte[] encrypt(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext) throws GeneralSecurityException {
        Cipher cipher = cipher(Cipher.ENCRYPT_MODE, key, nonce);
        cipher.updateAAD(aad);
        return cipher.doFinal(plaintext);
    }

    static byte[] decrypt(byte[] key, byte[] nonce, byte[] aad, byte[] ciphertext) throws GeneralSecurityException {
        if (nonce.length != NONCE_BYTES) {
            throw new GeneralSecurityException("nonce must be 96 bits");
        }
        Cipher cipher = cipher(Cipher.DECRYPT_MODE, key, nonce);
        cipher.updateAAD(aad);
        return cipher.doFinal(ciphertext);
    }

    private static Cipher cipher(int mode, byte[] key, byte[] nonce) throws GeneralSecurityException {
        if (key.length != KEY_BYTES) {
            throw new GeneralSecurityException("key must be 256 bits");
        }
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
        return cipher;
    }

    /** Associated data as length-prefixed UTF-8 parts, so that no two different part lists encode alike. */
    static byte[] associatedData(String... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (String part : parts) {
            byte[] bytes = part.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            out.write((bytes.length >>> 24) & 0xff);
            out.write((bytes.length >>> 16) & 0xff);
            out.write((bytes.length >>> 8) & 0xff);
            out.write(bytes.length & 0xff);
            out.writeBytes(bytes);
        }
        return out.toByteArray();
    }
}
