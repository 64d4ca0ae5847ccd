package io.phasegate.command.resource;

import io.phasegate.events.resource.ResourceType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a resource's name, spec and provider id must look like (checked by the HTTP layer, field by field, and again
 * by the aggregate). Messages name the rule, never the value.
 */
public final class ResourceRules {

    /** A DNS-label-like slug: lower-case letters, digits and inner hyphens, 1 to 63 characters. */
    public static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    /** The largest spec, as compact UTF-8 JSON. */
    public static final int MAX_SPEC_BYTES = 16 * 1024;
    /** The deepest nesting of a spec; the spec object itself is level 1. */
    public static final int MAX_SPEC_DEPTH = 8;
    public static final int MAX_PROVIDER_RESOURCE_ID = 255;
    /** Longest reason recorded in an event. */
    static final int MAX_REASON = 1000;

    private static final Pattern PROVIDER_ID = Pattern.compile("[\\x21-\\x7e]([\\x20-\\x7e]*[\\x21-\\x7e])?");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ResourceRules() {
    }

    /** One broken rule of one field. */
    public record Problem(String field, String message) {
    }

    public static List<Problem> checkName(String name) {
        if (name == null || name.isEmpty()) {
            return List.of(new Problem("name", "is required"));
        }
        if (name.length() > 63 || !NAME.matcher(name).matches()) {
            return List.of(new Problem("name", "must be a slug of at most 63 characters: lower-case letters, digits"
                    + " and inner hyphens (" + NAME.pattern() + ")"));
        }
        return List.of();
    }

    public static List<Problem> checkType(ResourceType type) {
        return type == null ? List.of(new Problem("type", "is required")) : List.of();
    }

    /** The spec must be a JSON object of at most {@value #MAX_SPEC_BYTES} bytes and {@value #MAX_SPEC_DEPTH} levels. */
    public static List<Problem> checkSpec(Map<String, Object> spec) {
        if (spec == null) {
            return List.of(new Problem("spec", "must be a JSON object"));
        }
        List<Problem> problems = new ArrayList<>();
        if (depth(spec) > MAX_SPEC_DEPTH) {
            problems.add(new Problem("spec", "must be nested at most " + MAX_SPEC_DEPTH + " levels deep"));
        } else if (JSON.writeValueAsString(spec).getBytes(StandardCharsets.UTF_8).length > MAX_SPEC_BYTES) {
            problems.add(new Problem("spec", "must be at most " + MAX_SPEC_BYTES + " bytes as JSON"));
        }
        return problems;
    }

    public static List<Problem> checkProviderResourceId(String providerResourceId) {
        if (providerResourceId == null || providerResourceId.isEmpty()) {
            return List.of(new Problem("provider_resource_id", "is required"));
        }
        if (providerResourceId.length() > MAX_PROVIDER_RESOURCE_ID || !PROVIDER_ID.matcher(providerResourceId).matches()) {
            return List.of(new Problem("provider_resource_id", "must be 1 to " + MAX_PROVIDER_RESOURCE_ID
                    + " printable ASCII characters without leading or trailing spaces"));
        }
        return List.of();
    }

    /** Nesting depth of a JSON value: scalars 0, an object or array one more than its deepest member. */
    static int depth(Object value) {
        return depth(value, 0);
    }

    private static int depth(Object value, int level) {
        if (level > MAX_SPEC_DEPTH + 1) {
            return level; // deep enough to refuse; stop walking
        }
        Collection<?> members;
        if (value instanceof Map<?, ?> map) {
            members = map.values();
        } else if (value instanceof Collection<?> list) {
            members = list;
        } else {
            return 0;
        }
        int deepest = 0;
        for (Object member : members) {
            deepest = Math.max(deepest, depth(member, level + 1));
        }
        return 1 + deepest;
    }

    static String reason(String reason) {
        String text = reason == null || reason.isBlank() ? "unknown failure" : reason.strip();
        return text.length() > MAX_REASON ? text.substring(0, MAX_REASON - 1) + "…" : text;
    }
}
