package io.phasegate.e2e;

import static io.phasegate.e2e.E2eSupport.shortId;
import static org.assertj.core.api.Assertions.assertThat;

import io.phasegate.e2e.OpenApiFuzzCases.Body;
import io.phasegate.e2e.OpenApiFuzzCases.Operation;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * The bad-input fuzz suite (issue 6, SPEC §7): fetches the OpenAPI documents through the gateway, enumerates every
 * documented operation and sends each one malformed, truncated and mistyped JSON, unknown fields, oversized and deeply
 * nested bodies, invalid UTF-8, wrong content types, empty bodies, invalid YAML and YAML bombs where YAML is accepted,
 * and bad path, query and header parameters. Every answer must be a 4xx {@code application/problem+json} with a stable
 * {@code code} and no internals; no bad request may write an event; the services must stay healthy. The cases are
 * derived from the documents ({@link OpenApiFuzzCases}), so new endpoints are covered without changing this class.
 * See docs/adr/0012-bad-input.md.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbeddedBadInputFuzzIT {

    private static final int GATEWAY_LIMIT = 1024 * 1024;
    private static final Pattern CODE = Pattern.compile("[a-z][a-z0-9_]{1,63}");
    private static final List<String> LEAKS = List.of("Exception", "at io.", "at org.", "at java.", "io.phasegate",
            "java.", "javax.", "org.springframework", "tools.jackson", "com.fasterxml", "org.axonframework",
            "reactor.", "io.netty", "org.h2", "org.postgresql", "org.snakeyaml", "Caused by", "\tat ");

    private final Http http = new Http();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private PhasegateSystem system;
    private final Map<String, String> ids = new LinkedHashMap<>();
    private String phaseToken;

    @BeforeAll
    void start() {
        system = PhasegateSystem.start(PhasegateSystem.Mode.EMBEDDED, Map.of(
                "PHASEGATE_RATE_LIMIT_ORG", "100000",
                "PHASEGATE_RATE_LIMIT_AGENT", "100000",
                "PHASEGATE_MAX_BODY_BYTES", String.valueOf(GATEWAY_LIMIT)));
        String admin = system.adminToken();
        String workflowId = E2eSupport.workflowId("fuzz");
        Http.Response workflow = http.put(api("/workflows/" + workflowId)).bearer(admin)
                .body(E2eSupport.workflowYaml(workflowId, 1), E2eSupport.YAML).send();
        assertThat(workflow.status()).as(workflow.toString()).isEqualTo(201);
        Http.Response task = http.post(api("/tasks")).bearer(admin)
                .json(Map.of("title", "fuzz target", "workflow_id", workflowId)).send();
        assertThat(task.status()).as(task.toString()).isEqualTo(201);
        String taskId = task.json().path("task_id").asString();
        Http.Response claim = http.post(api("/tasks/claim")).bearer(admin)
                .json(Map.of("agent_id", "fuzz-agent", "capabilities", List.of(), "task_id", taskId)).send();
        assertThat(claim.status()).as(claim.toString()).isEqualTo(200);
        phaseToken = claim.json().path("phase_token").asString();
        Http.Response dock = http.post(api("/docks")).bearer(admin).json(Map.of("name", "fuzz dock",
                "provider", "local", "settings", Map.of(), "credentials", Map.of("api_key", "k-" + shortId()))).send();
        assertThat(dock.status()).as(dock.toString()).isEqualTo(201);
        String dockId = dock.json().path("dock_id").asString();
        Http.Response resource = http.post(api("/resources")).bearer(admin).json(Map.of("dock_id", dockId,
                "type", "server", "name", "fuzz-" + shortId(), "spec", Map.of("cpus", 1))).send();
        assertThat(resource.status()).as(resource.toString()).isEqualTo(202);
        String resourceId = resource.json().path("resource_id").asString();
        // the provisioning process writes events of its own: wait until it is done, so the count is stable
        E2eSupport.await(() -> http.get(api("/resources/" + resourceId + "/status")).bearer(admin).send(),
                r -> r.status() == 200 && r.json().path("state").asString().equals("provisioned"), "provisioned");
        ids.put("task", taskId);
        ids.put("workflow", workflowId);
        ids.put("dock", dockId);
        ids.put("resource", resourceId);
        ids.put("org", PhasegateSystem.DEMO_ORG);
    }

    @AfterAll
    void stop() {
        if (system != null) {
            system.close();
        }
    }

    /** An answer, or the transport failure instead of one. */
    record Answer(int status, String contentType, String body, String failure) {
    }

    /** One request of the suite and what was wrong with its answer (empty: nothing). */
    record Outcome(String operation, String kase, Answer answer, List<String> problems) {
    }

    @Test
    void everyDocumentedOperationAnswersBadInputWithA4xxProblemAndWritesNothing() {
        long started = System.nanoTime();
        List<Operation> operations = new ArrayList<>();
        for (String api : List.of("command", "query")) {
            Http.Response docs = http.get(system.gatewayUrl() + "/api-docs/" + api).send();
            assertThat(docs.status()).as(docs.toString()).isEqualTo(200);
            operations.addAll(OpenApiFuzzCases.operations(api, docs.json()));
        }
        assertThat(operations).as("documented operations").hasSizeGreaterThan(40);
        assertThat(operations.stream().filter(Operation::hasBody).count()).as("operations with a body").isGreaterThan(15);

        // let any trailing asynchronous work of the set-up settle
        long baseline = stableEventCount();
        List<Outcome> outcomes = new ArrayList<>();
        OpenApiFuzzCases.Fill fill = fill();
        for (Operation op : operations) {
            String url = system.gatewayUrl() + OpenApiFuzzCases.substitute(op.path(), fill::pathValue);
            if (op.hasBody()) {
                OpenApiFuzzCases.badBodies(op, fill, GATEWAY_LIMIT).forEach((kase, body) ->
                        outcomes.add(check(op, kase, send(op, url, body, Map.of()))));
            }
            // junk path ids, with a plausible body where the operation takes one
            for (String name : OpenApiFuzzCases.pathParameters(op.path())) {
                OpenApiFuzzCases.junkPathValues().forEach((kase, value) -> {
                    String junkUrl = system.gatewayUrl() + OpenApiFuzzCases.substitute(op.path(),
                            n -> n.equals(name) ? value : fill.pathValue(n));
                    outcomes.add(check(op, "path:" + name + "=" + kase, send(op, junkUrl, plausibleBody(op, fill),
                            Map.of())));
                });
            }
            for (JsonNode parameter : op.parameters()) {
                String in = parameter.path("in").asString();
                String name = parameter.path("name").asString();
                String type = OpenApiFuzzCases.type(op.document(), parameter.path("schema"));
                if (in.equals("query") && !op.isWrite()) {
                    OpenApiFuzzCases.badParameterValues(type, false).forEach((kase, value) -> outcomes.add(check(op,
                            "query:" + name + "=" + kase, send(op, url + "?" + name + "=" + value, null, Map.of()))));
                } else if (in.equals("header") && !Set.of("authorization", "content-type", "if-match")
                        .contains(name.toLowerCase(Locale.ROOT)) && op.hasBody()) {
                    // header values on a write with a bad body: nothing may be written either way
                    OpenApiFuzzCases.badParameterValues(type, true).forEach((kase, value) -> outcomes.add(check(op,
                            "header:" + name + "=" + kase, send(op, url, Body.json("{\"a\":"), Map.of(name, value)))));
                }
            }
            printOperation(op, outcomes);
            if (op.isWrite()) {
                // writes leave no event behind, whatever they were sent
                long now = system.countEvents();
                if (now != baseline) {
                    outcomes.add(new Outcome(op.label(), "events", new Answer(0, "", "", null),
                            List.of("wrote " + (now - baseline) + " event(s)")));
                    baseline = now;
                }
            }
        }
        long elapsed = (System.nanoTime() - started) / 1_000_000;

        List<Outcome> offenders = outcomes.stream().filter(o -> !o.problems().isEmpty()).toList();
        System.out.printf("[fuzz] %d operations, %d requests, %d offenders, %d ms%n", operations.size(),
                outcomes.size(), offenders.size(), elapsed);
        for (String service : List.of(system.commandUrl(), system.queryUrl(), system.gatewayUrl())) {
            Http.Response health = http.get(service + "/actuator/health/readiness").send();
            assertThat(health.status()).as("still healthy: " + health).isEqualTo(200);
        }
        Http.Response control = http.get(api("/tasks/" + ids.get("task"))).bearer(system.adminToken()).send();
        assertThat(control.status()).as("still serving: " + control).isEqualTo(200);
        assertThat(offenders).as("offenders:\n" + describe(offenders)).isEmpty();
    }

    // ------------------------------------------------------------------------------------------------

    private OpenApiFuzzCases.Fill fill() {
        return new OpenApiFuzzCases.Fill() {
            @Override
            public String pathValue(String name) {
                String n = name.toLowerCase(Locale.ROOT);
                for (String kind : List.of("task", "workflow", "dock", "resource", "org")) {
                    if (n.startsWith(kind)) {
                        return ids.get(kind);
                    }
                }
                if (n.equals("role")) {
                    return "developer";
                }
                if (n.equals("subject")) {
                    return "fuzz-subject";
                }
                return "fuzz-" + n.replaceAll("[^a-z0-9]", "");
            }

            @Override
            public JsonNode property(String name) {
                return name.equals("phase_token") ? OpenApiFuzzCases.NODES.stringNode(phaseToken) : null;
            }
        };
    }

    private static Body plausibleBody(Operation op, OpenApiFuzzCases.Fill fill) {
        if (!op.hasBody()) {
            return null;
        }
        String type = op.contentTypes().isEmpty() ? "application/json" : op.contentTypes().get(0);
        if (!type.contains("json")) {
            return Body.of("workflow: fuzz\n", type);
        }
        return new Body(Http.JSON.writeValueAsBytes(OpenApiFuzzCases.plausible(op.document(), op.bodySchema(), fill, 0)),
                type, false);
    }

    private Answer send(Operation op, String url, Body body, Map<String, String> headers) {
        HttpRequest.Builder builder;
        try {
            builder = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        } catch (IllegalArgumentException e) {
            return new Answer(0, "", "", "bad URI in the test: " + e.getMessage());
        }
        String bearer = op.path().endsWith("/state/snapshot") ? phaseToken : system.adminToken();
        builder.header("Authorization", "Bearer " + bearer);
        if (op.path().contains("/resources/{") && op.method().equals("PATCH")) {
            builder.header("If-Match", "\"1\"");
        }
        headers.forEach(builder::header);
        if (body == null) {
            builder.method(op.method(), HttpRequest.BodyPublishers.noBody());
        } else {
            if (body.contentType() != null) {
                builder.header("Content-Type", body.contentType());
            }
            builder.method(op.method(), body.chunked()
                    ? HttpRequest.BodyPublishers.ofInputStream(body::stream)
                    : HttpRequest.BodyPublishers.ofByteArray(body.bytes()));
        }
        try {
            long sent = System.nanoTime();
            // the body as a stream: a read that succeeds may be an endless SSE stream, so only error bodies are read
            HttpResponse<java.io.InputStream> response = client.send(builder.build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            String text;
            try (java.io.InputStream in = response.body()) {
                text = response.statusCode() >= 400 || response.statusCode() < 200
                        ? new String(in.readNBytes(256 * 1024), StandardCharsets.UTF_8) : "";
            }
            long millis = (System.nanoTime() - sent) / 1_000_000;
            if (millis > 2000) {
                System.out.printf("[fuzz] slow: %s %s (%d bytes) took %d ms%n", op.method(),
                        url.length() > 120 ? url.substring(0, 120) + "…" : url, body == null ? 0 : body.bytes().length,
                        millis);
            }
            return new Answer(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                    text, null);
        } catch (IOException e) {
            return new Answer(0, "", "", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Outcome check(Operation op, String kase, Answer answer) {
        List<String> problems = new ArrayList<>();
        if (answer.failure() != null) {
            problems.add("no answer: " + answer.failure());
        } else if (answer.status() / 100 == 2 && !op.isWrite() && harmlessForARead(kase)) {
            // a read with an odd but well-typed parameter value (any text for a text filter, a negative or empty
            // min_position, an empty limit meaning the default) may answer normally: a read writes nothing
            return new Outcome(op.label(), kase, answer, problems);
        } else if (answer.status() == 414 && answer.body().isEmpty()) {
            // the transport's request-line limit (Reactor Netty, 4 KB at the gateway) answers before any handler
            // runs: a bare 414, documented in ADR 0012
            return new Outcome(op.label(), kase, answer, problems);
        } else {
            if (answer.status() < 400 || answer.status() >= 500) {
                problems.add("status " + answer.status());
            }
            if (!answer.contentType().startsWith("application/problem+json")) {
                problems.add("content type '" + answer.contentType() + "'");
            } else {
                try {
                    JsonNode problem = Http.JSON.readTree(answer.body());
                    String code = problem.path("code").asString("");
                    if (!CODE.matcher(code).matches()) {
                        problems.add("code '" + code + "'");
                    }
                    if (problem.path("status").asInt() != answer.status()) {
                        problems.add("status field " + problem.path("status") + " != " + answer.status());
                    }
                } catch (RuntimeException e) {
                    problems.add("problem body is not JSON");
                }
            }
            for (String leak : LEAKS) {
                if (answer.body().contains(leak)) {
                    problems.add("leaks '" + leak + "'");
                }
            }
        }
        return new Outcome(op.label(), kase, answer, problems);
    }

    /** Parameter cases whose value is of the right type, so a read may serve it. */
    private static boolean harmlessForARead(String kase) {
        return kase.startsWith("query:")
                && !kase.matches(".*=(not-a-number|not-a-boolean|fraction|exponent|huge)$");
    }

    /** The event count once it has not changed for a second. */
    private long stableEventCount() {
        long last = system.countEvents();
        for (int i = 0; i < 30; i++) {
            E2eSupport.sleep(1000);
            long now = system.countEvents();
            if (now == last) {
                return now;
            }
            last = now;
        }
        return last;
    }

    /** The table's line of one operation: its cases by status and codes ({@code !n}: n offenders, listed). */
    private static void printOperation(Operation op, List<Outcome> outcomes) {
        StringBuilder table = new StringBuilder();
        {
            List<Outcome> mine = outcomes.stream().filter(o -> o.operation().equals(op.label())).toList();
            Map<Integer, Integer> byStatus = new java.util.TreeMap<>();
            mine.forEach(o -> byStatus.merge(o.answer().status(), 1, Integer::sum));
            Set<String> codes = new TreeSet<>();
            mine.stream().filter(o -> o.answer().contentType().startsWith("application/problem+json"))
                    .forEach(o -> {
                        try {
                            codes.add(Http.JSON.readTree(o.answer().body()).path("code").asString());
                        } catch (RuntimeException ignored) {
                            // reported by check()
                        }
                    });
            long bad = mine.stream().filter(o -> !o.problems().isEmpty()).count();
            table.append(String.format("[fuzz] %-62s %4d cases %s %s%s%n", op.label(), mine.size(), byStatus, codes,
                    bad == 0 ? "" : "  !" + bad));
            table.append(describe(mine.stream().filter(o -> !o.problems().isEmpty()).toList()));
        }
        System.out.print(table);
    }

    private static String describe(List<Outcome> offenders) {
        StringBuilder out = new StringBuilder();
        for (Outcome o : offenders) {
            String body = o.answer().body();
            out.append("  ").append(o.operation()).append(" [").append(o.kase()).append("] -> ")
                    .append(o.answer().status()).append(' ').append(o.problems()).append(" body: ")
                    .append(body.length() > 300 ? body.substring(0, 300) + "…" : body).append('\n');
        }
        return out.toString();
    }

    private String api(String path) {
        return system.gatewayUrl() + "/api/v1" + path;
    }
}
