package io.phasegate.platform.web.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Assertions on a service's OpenAPI document ({@code /v3/api-docs}) shared by the services' tests
 * (docs/adr/0014-openapi.md): every operation documents a concrete 2xx schema and the problem-details errors, and a
 * real answer has exactly the documented top-level fields.
 */
public final class OpenApiAssertions {

    static final List<String> METHODS = List.of("get", "put", "post", "delete", "patch");
    static final Set<String> PROBLEM_FIELDS = Set.of("type", "title", "status", "detail", "instance", "code",
            "request_id");
    /** Media types whose 2xx schema may be a plain string (a CSV export). */
    static final Set<String> TEXT_MEDIA_TYPES = Set.of("text/csv");

    private final JsonNode document;

    public OpenApiAssertions(JsonNode document) {
        this.document = document;
    }

    /** {@code "<method> <path>"} of every operation. */
    public List<String> operations() {
        List<String> operations = new ArrayList<>();
        for (var path : document.path("paths").properties()) {
            for (String method : METHODS) {
                if (path.getValue().has(method)) {
                    operations.add(method + " " + path.getKey());
                }
            }
        }
        return operations;
    }

    public JsonNode operation(String method, String path) {
        JsonNode operation = document.path("paths").path(path).path(method.toLowerCase(Locale.ROOT));
        assertThat(operation.isObject()).as("operation %s %s is documented", method, path).isTrue();
        return operation;
    }

    public Set<String> responseCodes(String method, String path) {
        return new LinkedHashSet<>(operation(method, path).path("responses").propertyNames());
    }

    public Set<String> headerParameters(String method, String path) {
        Set<String> names = new LinkedHashSet<>();
        for (JsonNode parameter : operation(method, path).path("parameters")) {
            if ("header".equals(parameter.path("in").asString())) {
                names.add(parameter.path("name").asString());
            }
        }
        return names;
    }

    /** Every operation has a 2xx response whose every media type has a schema with named properties. */
    public void assertEveryOperationHasAConcreteSuccessSchema() {
        List<String> failures = new ArrayList<>();
        for (String operation : operations()) {
            String[] parts = operation.split(" ", 2);
            JsonNode responses = operation(parts[0], parts[1]).path("responses");
            boolean success = false;
            for (var response : responses.properties()) {
                if (!response.getKey().startsWith("2")) {
                    continue;
                }
                JsonNode content = response.getValue().path("content");
                if (content.isEmpty()) {
                    failures.add(operation + " " + response.getKey() + ": no content");
                    continue;
                }
                for (var media : content.properties()) {
                    JsonNode schema = media.getValue().path("schema");
                    if (TEXT_MEDIA_TYPES.contains(media.getKey()) && "string".equals(type(schema))) {
                        continue;
                    }
                    if (properties(schema).isEmpty()) {
                        failures.add(operation + " " + response.getKey() + " " + media.getKey()
                                + ": free-form schema " + schema);
                    }
                }
                success = true;
            }
            if (!success) {
                failures.add(operation + ": no 2xx response");
            }
        }
        assertThat(failures).as("operations without a concrete success schema").isEmpty();
    }

    /** Every operation documents 4XX and 5XX (and each specific 4xx/5xx) as problem details. */
    public void assertEveryOperationDocumentsProblems() {
        assertThat(properties(schema(JsonRef.of("#/components/schemas/Problem")))).containsAll(PROBLEM_FIELDS);
        List<String> failures = new ArrayList<>();
        for (String operation : operations()) {
            String[] parts = operation.split(" ", 2);
            JsonNode responses = operation(parts[0], parts[1]).path("responses");
            for (String range : List.of("4XX", "5XX")) {
                if (!responses.has(range)) {
                    failures.add(operation + ": no " + range);
                }
            }
            for (var response : responses.properties()) {
                if (response.getKey().startsWith("4") || response.getKey().startsWith("5")) {
                    JsonNode problem = response.getValue().path("content").path("application/problem+json");
                    if (!problem.path("schema").path("$ref").asString("").endsWith("/Problem")) {
                        failures.add(operation + " " + response.getKey() + ": not application/problem+json Problem");
                    }
                }
            }
        }
        assertThat(failures).as("operations without problem details").isEmpty();
    }

    /** The top-level property names of the documented (JSON) schema of a response. */
    public Set<String> successProperties(String method, String path) {
        for (var response : operation(method, path).path("responses").properties()) {
            if (response.getKey().startsWith("2")) {
                return properties(jsonSchema(method, path, response.getKey()));
            }
        }
        throw new AssertionError("no 2xx response of " + method + " " + path);
    }

    /** The answer's top-level fields are all documented; the documented required ones are all in the answer. */
    public void assertAnswerMatches(String method, String path, String status, JsonNode answer) {
        assertMatches(method + " " + path + " " + status, jsonSchema(method, path, status), answer);
    }

    /** As {@link #assertAnswerMatches}, for the object under a property of the documented schema. */
    public void assertNestedAnswerMatches(String method, String path, String status, String property,
                                          JsonNode answer) {
        JsonNode schema = resolve(jsonSchema(method, path, status)).path("properties").path(property);
        assertMatches(method + " " + path + " " + status + " ." + property, schema, answer);
    }

    private void assertMatches(String what, JsonNode schema, JsonNode answer) {
        assertThat(answer.isObject()).as(what + ": answer is an object: " + answer).isTrue();
        Set<String> documented = properties(schema);
        Set<String> answered = new LinkedHashSet<>(answer.propertyNames());
        assertThat(documented).as(what + ": documented properties").isNotEmpty();
        assertThat(documented).as(what + ": every answered field is documented (answer " + answer + ")")
                .containsAll(answered);
        assertThat(answered).as(what + ": every documented required field is answered")
                .containsAll(required(schema));
    }

    private JsonNode jsonSchema(String method, String path, String status) {
        JsonNode response = operation(method, path).path("responses").path(status);
        assertThat(response.isObject()).as("%s %s documents %s", method, path, status).isTrue();
        JsonNode content = response.path("content");
        for (var media : content.properties()) {
            if (media.getKey().contains("json")) {
                return media.getValue().path("schema");
            }
        }
        throw new AssertionError(method + " " + path + " " + status + " has no JSON content: " + content);
    }

    /** Follows {@code $ref}s (also a single {@code allOf}/{@code oneOf} member) to the schema with properties. */
    private JsonNode resolve(JsonNode schema) {
        for (int i = 0; i < 10; i++) {
            if (schema.has("$ref")) {
                schema = schema(JsonRef.of(schema.path("$ref").asString()));
            } else if (!schema.has("properties") && schema.path("allOf").size() == 1) {
                schema = schema.path("allOf").get(0);
            } else {
                return schema;
            }
        }
        return schema;
    }

    private Set<String> properties(JsonNode schema) {
        return new LinkedHashSet<>(resolve(schema).path("properties").propertyNames());
    }

    private Set<String> required(JsonNode schema) {
        Set<String> required = new LinkedHashSet<>();
        resolve(schema).path("required").forEach(name -> required.add(name.asString()));
        return required;
    }

    private static String type(JsonNode schema) {
        JsonNode type = schema.path("type");
        if (type.isArray()) {
            for (JsonNode t : type) {
                if (!"null".equals(t.asString())) {
                    return t.asString();
                }
            }
        }
        return type.asString("");
    }

    private JsonNode schema(JsonRef ref) {
        JsonNode schema = document.path("components").path("schemas").path(ref.name());
        assertThat(schema.isObject()).as("component schema " + ref.name()).isTrue();
        return schema;
    }

    private record JsonRef(String name) {
        static JsonRef of(String ref) {
            return new JsonRef(ref.substring(ref.lastIndexOf('/') + 1));
        }
    }
}
