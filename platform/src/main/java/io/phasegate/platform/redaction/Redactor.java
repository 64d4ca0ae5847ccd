package io.phasegate.platform.redaction;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Makes data safe to record and show (SPEC §2.4, §2.6, §7 "secrets never leak"): values under secret-looking names
 * and values that look like credentials become {@value #REDACTED}; long strings, wide containers and deep nesting
 * are cut. Used for the redacted summaries of tool arguments (command-service) and of audit records
 * (query-service), so both agree on what a secret looks like.
 *
 * <p>Thread-safe; every method is pure.
 */
public final class Redactor {

    /** What a secret value is replaced with. */
    public static final String REDACTED = "[redacted]";
    /** Longest string kept in a summary, in chars; longer ones are cut and say how much was left out. */
    public static final int MAX_STRING_LENGTH = 200;
    /** Deepest nesting kept in a summary: the summarised object is level 1. */
    public static final int MAX_DEPTH = 5;
    /** Most list items (and object members) kept in a summary. */
    public static final int MAX_ITEMS = 50;
    /** Longest member name kept in a summary. */
    public static final int MAX_KEY_LENGTH = 100;
    /** How far into a string {@link #looksSecret} looks when summarising (the kept part plus a margin). */
    private static final int SCAN_WINDOW = 4_096;

    private static final String TRUNCATED = "[truncated: nested deeper than " + MAX_DEPTH + " levels]";
    private static final JsonMapper PLAIN = JsonMapper.builder().build();

    /**
     * Names whose values are secrets, matched on the name lower-cased without separators ({@code API-Key},
     * {@code api_key} and {@code apiKey} are all {@code apikey}).
     */
    private static final Pattern SECRET_NAME = Pattern.compile(
            ".*(password|passwd|passphrase|secret|token|apikey|authorization|credential|privatekey|cookie|session).*"
                    + "|key.*|.*keys?");

    /** Values that look like credentials wherever they appear. */
    private static final Pattern SECRET_VALUE = Pattern.compile(String.join("|",
            // JWT / JWS / JWE: base64url JSON header, then dot-separated parts
            "eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{2,}",
            // PEM blocks: private keys, certificates, anything armoured
            "-----BEGIN [A-Z0-9 ]{1,40}-----",
            // HTTP authorization values
            "(?i)\\b(?:bearer|basic)\\s+[A-Za-z0-9._~+/=-]{8,}",
            // credentials in a URL
            "[A-Za-z][A-Za-z0-9+.-]{0,20}://[^/\\s:@]{1,256}:[^/\\s@]{1,256}@",
            // well-known token formats
            "\\bAKIA[0-9A-Z]{16}\\b",
            "\\bgh[pousr]_[A-Za-z0-9]{30,}",
            "\\bgithub_pat_[A-Za-z0-9_]{30,}",
            "\\bglpat-[A-Za-z0-9_-]{20,}",
            "\\bxox[abposr]-[A-Za-z0-9-]{10,}",
            "\\bsk_(?:live|test)_[A-Za-z0-9]{16,}",
            "\\bsk-[A-Za-z0-9_-]{20,}",
            "\\bAIza[0-9A-Za-z_-]{35}"));

    private Redactor() {
    }

    /**
     * A copy of an object that is safe to record: values under secret-looking names ({@link #isSecretName}) and
     * values that look like credentials ({@link #looksSecret}) become {@value #REDACTED}; strings longer than
     * {@value #MAX_STRING_LENGTH} chars are cut ({@code …(+N chars)}); lists and objects keep their first
     * {@value #MAX_ITEMS} entries; containers nested deeper than {@value #MAX_DEPTH} levels are left out. Members are
     * sorted by name. {@code null} gives an empty object.
     */
    public static Map<String, Object> summary(Map<String, ?> object) {
        return summary(object, Set.of());
    }

    /**
     * As {@link #summary(Map)}, except that the top-level members named in {@code notSecretNames} are not redacted
     * for their name (their values are still checked with {@link #looksSecret} and cut): for structural fields whose
     * names only look secret, such as a token's generation number.
     */
    public static Map<String, Object> summary(Map<String, ?> object, Set<String> notSecretNames) {
        return object == null ? new LinkedHashMap<>() : summariseObject(object, 1, notSecretNames);
    }

    /**
     * Any value made safe like a member of a {@link #summary(Map) summary}: scalars, strings, maps, collections,
     * arrays and JSON trees; other objects by their string form.
     */
    public static Object summaryValue(Object value) {
        return summariseValue(value, 1);
    }

    /** A free text (for example a tool outcome) shortened and redacted like a string member of a summary. */
    public static String summaryText(String text) {
        return text == null ? null : summariseString(text);
    }

    /** Whether a member named so holds a secret: password, token, api_key, authorization, cookie, … */
    public static boolean isSecretName(String name) {
        if (name == null) {
            return false;
        }
        StringBuilder normalised = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isLetterOrDigit(c)) {
                normalised.append(Character.toLowerCase(c));
            }
        }
        return SECRET_NAME.matcher(normalised).matches();
    }

    /**
     * Whether a value looks like a credential: a JWT, a PEM block, a bearer or basic authorization, a URL with a
     * password, or a well-known token format (AWS access key, GitHub, GitLab, Slack, Stripe, OpenAI, Google API keys).
     */
    public static boolean looksSecret(Object value) {
        return value instanceof CharSequence text && SECRET_VALUE.matcher(text).find();
    }

    /** The first {@code max} chars of a text (never half a surrogate pair) and how many were left out. */
    public static String cut(String text, int max) {
        if (text == null || text.length() <= max) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
        return text.substring(0, end) + "…(+" + (text.length() - end) + " chars)";
    }

    // ------------------------------------------------------------------------------------------------------------

    private static Map<String, Object> summariseObject(Map<?, ?> map, int depth, Set<String> notSecretNames) {
        Map<String, Object> sorted = new TreeMap<>();
        map.forEach((key, value) -> sorted.put(String.valueOf(key), value));
        Map<String, Object> summary = new LinkedHashMap<>();
        int kept = 0;
        for (Map.Entry<String, Object> entry : sorted.entrySet()) {
            if (kept == MAX_ITEMS) {
                summary.put("…", "(+" + (sorted.size() - MAX_ITEMS) + " more entries)");
                break;
            }
            String key = entry.getKey();
            Object value = isSecretName(key) && !notSecretNames.contains(key)
                    ? REDACTED : summariseValue(entry.getValue(), depth + 1);
            summary.put(key.length() > MAX_KEY_LENGTH ? cut(key, MAX_KEY_LENGTH) : key, value);
            kept++;
        }
        return summary;
    }

    private static Object summariseValue(Object value, int depth) {
        if (value == null || value instanceof Boolean || value instanceof Number) {
            return value;
        }
        if (value instanceof CharSequence text) {
            return summariseString(text.toString());
        }
        if (value instanceof JsonNode node) {
            return summariseValue(PLAIN.treeToValue(node, Object.class), depth);
        }
        if (value instanceof Map<?, ?> || value instanceof Collection<?> || value instanceof Object[]) {
            if (depth > MAX_DEPTH) {
                return TRUNCATED;
            }
            if (value instanceof Map<?, ?> map) {
                return summariseObject(map, depth, Set.of());
            }
            return summariseList(value instanceof Object[] array ? Arrays.asList(array) : (Collection<?>) value, depth);
        }
        return summariseString(String.valueOf(value));
    }

    private static List<Object> summariseList(Collection<?> items, int depth) {
        List<Object> summary = new ArrayList<>(Math.min(items.size(), MAX_ITEMS + 1));
        for (Object item : items) {
            if (summary.size() == MAX_ITEMS) {
                summary.add("…(+" + (items.size() - MAX_ITEMS) + " items)");
                break;
            }
            summary.add(summariseValue(item, depth + 1));
        }
        return summary;
    }

    private static String summariseString(String text) {
        CharSequence window = text.length() <= SCAN_WINDOW ? text : text.subSequence(0, SCAN_WINDOW);
        if (looksSecret(window)) {
            return REDACTED;
        }
        return cut(text, MAX_STRING_LENGTH);
    }
}
