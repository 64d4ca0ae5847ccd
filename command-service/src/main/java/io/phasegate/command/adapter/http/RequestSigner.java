package io.phasegate.command.adapter.http;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The request signature of the {@code http} adapter (documented in {@code docs/adapters.md}):
 * <pre>
 * string to sign = "PHASEGATE-HMAC-SHA256" \n METHOD \n raw path \n timestamp \n idempotency key (or empty) \n
 *                  lower-case hex SHA-256 of the body (of no bytes when there is none)
 * X-Phasegate-Signature = "v1=" + lower-case hex HMAC-SHA256(key = UTF-8 of the credential "secret", string to sign)
 * </pre>
 */
public final class RequestSigner {

    public static final String ALGORITHM = "PHASEGATE-HMAC-SHA256";
    public static final String HEADER_KEY_ID = "X-Phasegate-Key-Id";
    public static final String HEADER_TIMESTAMP = "X-Phasegate-Timestamp";
    public static final String HEADER_CONTENT_SHA256 = "X-Phasegate-Content-SHA256";
    public static final String HEADER_SIGNATURE = "X-Phasegate-Signature";
    public static final String HEADER_IDEMPOTENCY_KEY = "Idempotency-Key";
    public static final String SIGNATURE_PREFIX = "v1=";

    private RequestSigner() {
    }

    public static String stringToSign(String method, String rawPath, String timestamp, String idempotencyKey,
                                      String bodySha256Hex) {
        return ALGORITHM + "\n" + method + "\n" + rawPath + "\n" + timestamp + "\n"
                + (idempotencyKey == null ? "" : idempotencyKey) + "\n" + bodySha256Hex;
    }

    /** The header value {@code v1=<hex>}. */
    public static String sign(String secret, String stringToSign) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return SIGNATURE_PREFIX + HexFormat.of().formatHex(mac.doFinal(stringToSign.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }

    public static String sha256Hex(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
    }
}
