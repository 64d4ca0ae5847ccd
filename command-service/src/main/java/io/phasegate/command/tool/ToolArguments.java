package io.phasegate.command.tool;

import io.phasegate.platform.redaction.Redactor;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.cfg.JsonNodeFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * What events may say about the arguments of a tool call (SPEC §2.4): a {@link #digest(Map) digest} that binds an
 * approval to exactly these arguments, and a {@link #summary(Map) redacted summary} for auditors. The raw arguments
 * never go into an event. Redaction is {@link Redactor}'s, shared with the audit trail of query-service.
 *
 * <p>Thread-safe; every method is pure.
 */
public final class ToolArguments {

    /** What a secret value is replaced with. */
    public static final String REDACTED = Redactor.REDACTED;
    /** Longest string kept in a summary, in chars; longer ones are cut and say how much was left out. */
    public static final int MAX_STRING_LENGTH = Redactor.MAX_STRING_LENGTH;
    /** Deepest nesting kept in a summary: the arguments object is level 1. */
    public static final int MAX_DEPTH = Redactor.MAX_DEPTH;
    /** Most list items (and object members) kept in a summary. */
    public static final int MAX_ITEMS = Redactor.MAX_ITEMS;
    /** Longest argument name kept in a summary. */
    static final int MAX_KEY_LENGTH = Redactor.MAX_KEY_LENGTH;

    private static final String DIGEST_PREFIX = "sha256:";

    /** Sorted keys at every level, no whitespace: the canonical form that is hashed. */
    private static final JsonMapper CANONICAL = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .enable(JsonNodeFeature.WRITE_PROPERTIES_SORTED)
            .build();

    private ToolArguments() {
    }

    /**
     * {@code sha256:<hex>} of the canonical JSON of the arguments: object members sorted by name at every level, no
     * whitespace. Equal JSON arguments give equal digests, whatever order their members came in.
     *
     * @throws IllegalArgumentException when the arguments are not JSON data
     */
    public static String digest(Map<String, ?> args) {
        byte[] canonical;
        try {
            canonical = CANONICAL.writeValueAsBytes(args == null ? Map.of() : args);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("The tool arguments are not JSON data", e);
        }
        try {
            return DIGEST_PREFIX + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** The canonical JSON that {@link #digest(Map)} hashes (for tests and debugging). */
    static String canonicalJson(Map<String, ?> args) {
        return new String(CANONICAL.writeValueAsBytes(args == null ? Map.of() : args), StandardCharsets.UTF_8);
    }

    /**
     * A copy of the arguments that is safe to record ({@link Redactor#summary(Map)}): values under secret-looking
     * names ({@link #isSecretName}) and values that look like credentials ({@link #looksSecret}) become
     * {@value #REDACTED}; strings longer than {@value #MAX_STRING_LENGTH} chars are cut ({@code …(+N chars)}); lists
     * and objects keep their first {@value #MAX_ITEMS} entries; containers nested deeper than {@value #MAX_DEPTH}
     * levels are left out. Members are sorted by name.
     */
    public static Map<String, Object> summary(Map<String, ?> args) {
        return Redactor.summary(args);
    }

    /** A free text (for example a tool outcome) shortened and redacted like a string argument of a summary. */
    public static String summaryText(String text) {
        return Redactor.summaryText(text);
    }

    /** Whether an argument named so holds a secret: password, token, api_key, authorization, cookie, … */
    public static boolean isSecretName(String name) {
        return Redactor.isSecretName(name);
    }

    /**
     * Whether a value looks like a credential: a JWT, a PEM block, a bearer or basic authorization, a URL with a
     * password, or a well-known token format (AWS access key, GitHub, GitLab, Slack, Stripe, OpenAI, Google API keys).
     */
    public static boolean looksSecret(Object value) {
        return Redactor.looksSecret(value);
    }
}
