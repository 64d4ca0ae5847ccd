package io.phasegate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;

/** Assertions and test data shared by the end-to-end contracts. */
final class E2eSupport {

    static final String YAML = "application/yaml";
    static final String TEMPLATE = resource("/workflows/tdd-default.yaml");

    private E2eSupport() {
    }


    static String shortId() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }


    static String workflowId(String name) {
        return "e2e-" + name + "-" + shortId();
    }


    static String workflowYaml(String id, int version) {
        String yaml = TEMPLATE.replaceFirst("(?m)^workflow:\\s*tdd-default", "workflow: " + id)
                .replaceFirst("(?m)^version:\\s*1", "version: " + version);
        assertThat(yaml).contains("workflow: " + id).contains("version: " + version);
        return yaml;
    }


    /** A problem document with the status and (unless null) the code, and without any internals. */
    static void assertProblem(Http.Response response, int status, String code) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(response.contentType()).as(response.toString()).startsWith("application/problem+json");
        JsonNode body = response.json();
        assertThat(body.path("status").asInt()).as(response.toString()).isEqualTo(status);
        assertThat(body.path("code").asString()).as(response.toString()).isNotBlank();
        if (code != null) {
            assertThat(body.path("code").asString()).as(response.toString()).isEqualTo(code);
        }
        assertThat(response.body()).as("no internals in " + response)
                .doesNotContain("Exception").doesNotContain("at io.").doesNotContain("at org.");
    }


    /** Every object key is snake_case; {@code deep} descends into nested objects and arrays. */
    static void assertSnakeCaseKeys(JsonNode node, boolean deep) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                assertThat(field.getKey()).as("JSON field name").matches("[a-z][a-z0-9_]*");
                if (deep) {
                    assertSnakeCaseKeys(field.getValue(), true);
                }
            }
        } else if (node.isArray() && deep) {
            node.forEach(element -> assertSnakeCaseKeys(element, true));
        }
    }


    static List<String> texts(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(element -> values.add(element.asString()));
        return values;
    }


    static List<String> texts(JsonNode array, String field) {
        List<String> values = new ArrayList<>();
        array.forEach(element -> values.add(element.path(field).asString()));
        return values;
    }


    /** The token with one bit of its signature flipped (a flip in the middle, not in base64 padding bits). */
    static String withAlteredSignature(String jwt) {
        String[] parts = jwt.split("\\.");
        byte[] signature = Base64.getUrlDecoder().decode(parts[2]);
        signature[signature.length / 2] ^= 0x01;
        return parts[0] + "." + parts[1] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
    }


    static String resource(String name) {
        try (InputStream in = E2eSupport.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("Missing test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }


    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Repeats {@code request} until {@code done} holds for its answer (30 s at most). */
    static Http.Response await(Supplier<Http.Response> request,
                                       Predicate<Http.Response> done, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Http.Response last = null;
        while (System.nanoTime() < deadline) {
            last = request.get();
            if (done.test(last)) {
                return last;
            }
            sleep(100);
        }
        throw new AssertionError("Timed out waiting for " + what + "; last: " + last);
    }
}
