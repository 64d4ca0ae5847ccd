package io.phasegate.e2e;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Derives bad-input cases from an OpenAPI document (issue 6, SPEC §7): every operation (method and path), its
 * parameters and its request body schema. Nothing here knows an endpoint by name, so a new endpoint is covered as
 * soon as springdoc documents it; only the values used to fill path parameters and phase tokens come from the test's
 * set-up ({@link Fill}).
 */
final class OpenApiFuzzCases {

    static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Above the services' 256 KB codec cap, below the gateway's default 1 MB limit. */
    static final int ABOVE_SERVICE_CAP = 300 * 1024;
    static final int NESTING = 10_000;

    private OpenApiFuzzCases() {
    }

    /** One documented operation. */
    record Operation(String api, String method, String path, JsonNode spec, JsonNode document) {

        String label() {
            return method + " " + path;
        }

        List<JsonNode> parameters() {
            List<JsonNode> list = new ArrayList<>();
            spec.path("parameters").forEach(p -> list.add(resolve(document, p)));
            return list;
        }

        boolean hasBody() {
            return spec.has("requestBody");
        }

        boolean bodyRequired() {
            return resolve(document, spec.path("requestBody")).path("required").asBoolean(false);
        }

        /** The request body's content types, JSON first. */
        List<String> contentTypes() {
            List<String> types = new ArrayList<>();
            resolve(document, spec.path("requestBody")).path("content").propertyNames().forEach(types::add);
            types.sort((a, b) -> Boolean.compare(!a.contains("json"), !b.contains("json")));
            return types;
        }

        boolean acceptsYaml() {
            return contentTypes().stream().anyMatch(t -> t.contains("yaml"));
        }

        /** The (resolved) schema of the request body's first (JSON) content type. */
        JsonNode bodySchema() {
            JsonNode content = resolve(document, spec.path("requestBody")).path("content");
            String type = contentTypes().isEmpty() ? null : contentTypes().get(0);
            return type == null ? NODES.objectNode() : resolve(document, content.path(type).path("schema"));
        }

        boolean isWrite() {
            return !method.equals("GET") && !method.equals("HEAD") && !method.equals("OPTIONS");
        }
    }

    /** Every operation of an OpenAPI document, in document order. */
    static List<Operation> operations(String api, JsonNode document) {
        List<Operation> operations = new ArrayList<>();
        for (Map.Entry<String, JsonNode> path : document.path("paths").properties()) {
            for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
                String method = op.getKey().toUpperCase(Locale.ROOT);
                if (Set.of("GET", "POST", "PUT", "PATCH", "DELETE").contains(method)) {
                    operations.add(new Operation(api, method, path.getKey(), op.getValue(), document));
                }
            }
        }
        return operations;
    }

    static JsonNode resolve(JsonNode document, JsonNode node) {
        for (int i = 0; i < 10 && node.has("$ref"); i++) {
            String ref = node.path("$ref").asString();
            JsonNode target = document;
            for (String part : ref.replaceFirst("^#/", "").split("/")) {
                target = target.path(part);
            }
            node = target;
        }
        return node;
    }

    /** The JSON type of a schema: {@code string}, {@code integer}, {@code number}, {@code boolean}, {@code array}, {@code object}. */
    static String type(JsonNode document, JsonNode schema) {
        JsonNode resolved = resolve(document, schema);
        JsonNode type = resolved.path("type");
        if (type.isString()) {
            return type.asString();
        }
        if (type.isArray()) {
            for (JsonNode t : type) {
                if (!"null".equals(t.asString())) {
                    return t.asString();
                }
            }
        }
        for (String combinator : List.of("oneOf", "anyOf", "allOf")) {
            if (resolved.path(combinator).isArray() && !resolved.path(combinator).isEmpty()) {
                return type(document, resolved.path(combinator).get(0));
            }
        }
        if (resolved.has("properties") || resolved.has("additionalProperties")) {
            return "object";
        }
        if (resolved.has("items")) {
            return "array";
        }
        return "object";
    }

    /** Values the set-up provides: ids of existing things and a phase token. */
    interface Fill {
        /** A plausible existing value for a path parameter. */
        String pathValue(String name);

        /** A plausible value for a body property by name, or null to derive one from its schema. */
        JsonNode property(String name);
    }

    /** A schema-shaped body with plausible values (never a valid request by itself: ids are made up). */
    static JsonNode plausible(JsonNode document, JsonNode schema, Fill fill, int depth) {
        JsonNode resolved = resolve(document, schema);
        String type = type(document, resolved);
        if (resolved.path("enum").isArray() && !resolved.path("enum").isEmpty()) {
            return resolved.path("enum").get(0);
        }
        return switch (type) {
            case "string" -> NODES.stringNode("fuzz");
            case "integer", "number" -> NODES.numberNode(1);
            case "boolean" -> NODES.booleanNode(true);
            case "array" -> NODES.arrayNode();
            default -> {
                ObjectNode object = NODES.objectNode();
                if (depth < 3) {
                    for (Map.Entry<String, JsonNode> p : resolved.path("properties").properties()) {
                        JsonNode given = fill.property(p.getKey());
                        object.set(p.getKey(), given != null ? given : plausible(document, p.getValue(), fill, depth + 1));
                    }
                }
                yield object;
            }
        };
    }

    /**
     * Values of the wrong JSON type for a property of {@code type}: string ↔ number ↔ object ↔ array ↔ boolean, and
     * null for a required property. Values Jackson could coerce (a number for a string) are included on purpose:
     * SPEC §7 asks for a 4xx on wrong types.
     */
    static Map<String, JsonNode> wrongTypes(String type, boolean required) {
        Map<String, JsonNode> values = new LinkedHashMap<>();
        if (!type.equals("string")) {
            values.put("string", NODES.stringNode("not-a-" + type));
        }
        if (!type.equals("integer") && !type.equals("number")) {
            values.put("number", NODES.numberNode(12345));
        }
        if (!type.equals("boolean")) {
            values.put("boolean", NODES.booleanNode(true));
        }
        if (!type.equals("object")) {
            ObjectNode object = NODES.objectNode();
            object.put("x", 1);
            values.put("object", object);
        }
        if (!type.equals("array")) {
            ArrayNode array = NODES.arrayNode();
            array.add(1);
            values.put("array", array);
        }
        if (required) {
            values.put("null", NODES.nullNode());
        }
        return values;
    }

    /** A bad body: bytes and the content type they are sent with (null: none). {@code chunked}: no Content-Length. */
    record Body(byte[] bytes, String contentType, boolean chunked) {

        static Body json(String text) {
            return new Body(text.getBytes(StandardCharsets.UTF_8), "application/json", false);
        }

        static Body of(String text, String contentType) {
            return new Body(text.getBytes(StandardCharsets.UTF_8), contentType, false);
        }

        ByteArrayInputStream stream() {
            return new ByteArrayInputStream(bytes);
        }
    }

    /** The bad bodies for an operation, by case name. */
    static Map<String, Body> badBodies(Operation op, Fill fill, int gatewayLimit) {
        Map<String, Body> cases = new LinkedHashMap<>();
        JsonNode schema = op.bodySchema();
        String bodyType = type(op.document(), schema);
        JsonNode plausible = plausible(op.document(), schema, fill, 0);
        String valid = Http.JSON.writeValueAsString(plausible);

        cases.put("malformed", Body.json("{\"a\": tru, }"));
        cases.put("truncated", Body.json(valid.length() > 2 ? valid.substring(0, valid.length() / 2 + 1) : "{\""));
        cases.put("trailing", Body.json(valid + " {}"));
        if (bodyType.equals("object")) {
            ObjectNode withUnknown = ((ObjectNode) plausible.deepCopy());
            withUnknown.put("unknown_fuzz_field", "x");
            withUnknown.put("Unknown-Field", 1);
            cases.put("unknown-field", Body.json(Http.JSON.writeValueAsString(withUnknown)));
            cases.put("top-array", Body.json("[" + valid + "]"));
            cases.put("top-string", Body.json("\"text\""));
            cases.put("top-null", Body.json("null"));
            JsonNode properties = resolve(op.document(), schema).path("properties");
            Set<String> required = new LinkedHashSet<>();
            resolve(op.document(), schema).path("required").forEach(r -> required.add(r.asString()));
            for (Map.Entry<String, JsonNode> p : properties.properties()) {
                String propertyType = type(op.document(), p.getValue());
                wrongTypes(propertyType, required.contains(p.getKey())).forEach((kind, value) -> {
                    ObjectNode mutated = ((ObjectNode) plausible.deepCopy());
                    mutated.set(p.getKey(), value);
                    cases.put("type:" + p.getKey() + "=" + kind, Body.json(Http.JSON.writeValueAsString(mutated)));
                });
            }
        }
        cases.put("deep-array", Body.json("[".repeat(NESTING) + "]".repeat(NESTING)));
        cases.put("deep-object", Body.json("{\"a\":".repeat(NESTING) + "1" + "}".repeat(NESTING)));
        if (bodyType.equals("object") && !plausible.isEmpty()) {
            String first = plausible.propertyNames().iterator().next();
            cases.put("deep-in-field", Body.json("{\"" + first + "\":" + "[".repeat(NESTING) + "]".repeat(NESTING) + "}"));
        }
        cases.put("invalid-utf8", new Body(invalidUtf8(valid), "application/json", false));
        cases.put("overlong-utf8", new Body(overlongUtf8(), "application/json", false));
        if (valid.contains("\"fuzz\"")) {
            cases.put("raw-control-char", Body.json(valid.replaceFirst("\"fuzz\"", "\"fu\u0000\u001bzz\"")));
        }
        cases.put("text/plain", Body.of(valid, "text/plain"));
        cases.put("form", Body.of("a=1&b=2", "application/x-www-form-urlencoded"));
        cases.put("xml", Body.of("<?xml version=\"1.0\"?><a>1</a>", "application/xml"));
        cases.put("no-content-type", new Body(valid.getBytes(StandardCharsets.UTF_8), null, false));
        cases.put("bad-content-type", Body.of(valid, "application/json; charset=klingon"));
        if (op.bodyRequired()) {
            cases.put("empty", Body.json(""));
            cases.put("whitespace", Body.json("   \n "));
        }
        cases.put("above-service-cap", Body.json(padded(ABOVE_SERVICE_CAP)));
        cases.put("above-service-cap-chunked", new Body(padded(ABOVE_SERVICE_CAP).getBytes(StandardCharsets.UTF_8),
                "application/json", true));
        cases.put("above-gateway-limit", Body.json(padded(gatewayLimit + 1024)));
        cases.put("above-gateway-chunked", new Body(padded(gatewayLimit + 1024).getBytes(StandardCharsets.UTF_8),
                "application/json", true));
        String hugeNumber = valid.replaceFirst(":1([,}])", ":" + "9".repeat(5000) + "$1")
                .replaceFirst(":\"fuzz\"", ":" + "9".repeat(5000));
        if (!hugeNumber.equals(valid)) {
            cases.put("huge-number", Body.json(hugeNumber));
        }
        cases.put("long-key", Body.json("{\"" + "k".repeat(100_000) + "\":1}"));

        if (op.acceptsYaml()) {
            String yaml = op.contentTypes().stream().filter(t -> t.contains("yaml")).findFirst().orElseThrow();
            cases.put("yaml:invalid", Body.of("workflow: [unclosed\n  phases: {a: b\n\t- tab", yaml));
            cases.put("yaml:bomb", Body.of(yamlBomb(), yaml));
            cases.put("yaml:deep", Body.of("a: " + "[".repeat(NESTING) + "]".repeat(NESTING) + "\n", yaml));
            cases.put("yaml:deep-block", Body.of(deepBlockYaml(2000), yaml));
            cases.put("yaml:recursive", Body.of("a: &x\n  b: *x\n", yaml));
            cases.put("yaml:duplicate-keys", Body.of("workflow: a\nworkflow: b\n", yaml));
            cases.put("yaml:tags", Body.of("workflow: !!java.io.File [\"/etc/passwd\"]\nversion: !!binary AAAA\n", yaml));
            cases.put("yaml:multi-doc", Body.of("workflow: a\n---\nworkflow: b\n", yaml));
            cases.put("yaml:not-a-map", Body.of("- just\n- a list\n", yaml));
            cases.put("yaml:empty", Body.of("", yaml));
            cases.put("yaml:invalid-utf8", new Body(invalidUtf8("workflow: fuzz\n"), yaml, false));
            cases.put("yaml:above-service-cap", Body.of("a: \"" + "x".repeat(ABOVE_SERVICE_CAP) + "\"\n", yaml));
        }
        return cases;
    }

    /** Values for a query, path or header parameter of {@code type}: wrong types, extremes, control characters. */
    static Map<String, String> badParameterValues(String type, boolean header) {
        Map<String, String> values = new LinkedHashMap<>();
        if (type.equals("integer") || type.equals("number")) {
            values.put("not-a-number", "abc");
            values.put("negative", "-1");
            values.put("min-long", "-9223372036854775808");
            values.put("huge", "9".repeat(40));
            values.put("fraction", "1.5");
            values.put("exponent", "1e400");
        } else if (type.equals("boolean")) {
            values.put("not-a-boolean", "maybe");
        } else {
            values.put("number-for-string", "-99999999999999999999");
        }
        values.put("empty", "");
        values.put("overlong-2k", "x".repeat(2_000));
        values.put("unicode", "%E2%80%AE%F0%9F%92%A9");
        if (!header) {
            values.put("overlong-10k", "y".repeat(10_000));
            values.put("nul", "%00");
            values.put("newline", "a%0D%0Ab");
            values.put("escape", "%1B%5B31m");
            values.put("invalid-utf8", "%C3%28%FF");
            values.put("quote", "x%27%22%3B--");
        } else {
            values.put("spaces", "a b c");
            values.put("latin1", "\u00e9\u00e8");
        }
        return values;
    }

    /** Junk ids for path parameters. */
    static Map<String, String> junkPathValues() {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("unknown", "nope-" + E2eSupport.shortId());
        values.put("negative", "-1");
        values.put("huge", "9".repeat(40));
        values.put("overlong", "z".repeat(2_000));
        values.put("nul", "%00");
        values.put("newline", "a%0Ab");
        values.put("invalid-utf8", "%C3%28");
        values.put("dot-dot", "..%2F..%2Fetc");
        values.put("unicode", "%E2%80%AE%F0%9F%92%A9");
        return values;
    }

    static String substitute(String path, Function<String, String> values) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < path.length()) {
            int open = path.indexOf('{', i);
            if (open < 0) {
                out.append(path, i, path.length());
                break;
            }
            int close = path.indexOf('}', open);
            out.append(path, i, open).append(values.apply(path.substring(open + 1, close)));
            i = close + 1;
        }
        return out.toString();
    }

    static List<String> pathParameters(String path) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = List.of(path.split("/")).iterator(); it.hasNext(); ) {
            String segment = it.next();
            if (segment.startsWith("{") && segment.endsWith("}")) {
                names.add(segment.substring(1, segment.length() - 1));
            }
        }
        return names;
    }

    private static byte[] invalidUtf8(String valid) {
        byte[] text = valid.getBytes(StandardCharsets.UTF_8);
        int at = Math.max(1, Math.min(text.length - 1, valid.indexOf("fuzz") > 0 ? valid.indexOf("fuzz") : 1));
        byte[] bad = {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xFE, (byte) 0xED, (byte) 0xA0, (byte) 0x80};
        byte[] out = new byte[text.length + bad.length];
        System.arraycopy(text, 0, out, 0, at);
        System.arraycopy(bad, 0, out, at, bad.length);
        System.arraycopy(text, at, out, at + bad.length, text.length - at);
        return out;
    }

    /** An overlong encoding of '/' and a lone continuation byte in a string. */
    private static byte[] overlongUtf8() {
        byte[] prefix = "{\"a\":\"".getBytes(StandardCharsets.US_ASCII);
        byte[] bad = {(byte) 0xC0, (byte) 0xAF, (byte) 0x80};
        byte[] suffix = "\"}".getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[prefix.length + bad.length + suffix.length];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        System.arraycopy(bad, 0, out, prefix.length, bad.length);
        System.arraycopy(suffix, 0, out, prefix.length + bad.length, suffix.length);
        return out;
    }

    /** A JSON object padded to at least {@code bytes} bytes. */
    static String padded(int bytes) {
        return "{\"padding\":\"" + "p".repeat(bytes) + "\"}";
    }

    /** Billion laughs: nine levels of aliases, each expanding the previous nine times. */
    static String yamlBomb() {
        StringBuilder yaml = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        char previous = 'a';
        for (char c = 'b'; c <= 'i'; c++) {
            yaml.append(c).append(": &").append(c).append(" [");
            for (int i = 0; i < 9; i++) {
                yaml.append(i == 0 ? "" : ",").append('*').append(previous);
            }
            yaml.append("]\n");
            previous = c;
        }
        return yaml.toString();
    }

    private static String deepBlockYaml(int depth) {
        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            yaml.append(" ".repeat(i)).append("k:\n");
        }
        yaml.append(" ".repeat(depth)).append("v\n");
        return yaml.toString();
    }
}
