import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The embedded mode's demo (SPEC §5), started by {@code deploy/local/phasegate up --demo}: seeds the demo
 * organisation with a workflow, tasks and a {@code local} dock with a provisioned resource, then drives a simulated
 * agent through the phases of each task (a reviewer approves), pausing between steps so that the events can be
 * watched arriving on the streams. A plain client of the public HTTP API through the gateway, run from source
 * ({@code java PhasegateDemo.java <gateway-url> <tokens-file> <workflow-yaml>}); it needs nothing but a JDK.
 */
public final class PhasegateDemo {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration PAUSE = Duration.ofMillis(Long.getLong("demo.pause.ms", 1500));

    private final String gateway;
    private final Map<String, String> tokens;

    private PhasegateDemo(String gateway, Map<String, String> tokens) {
        this.gateway = gateway;
        this.tokens = tokens;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: java PhasegateDemo.java <gateway-url> <tokens-file> <workflow-yaml>");
            System.exit(2);
        }
        PhasegateDemo demo = new PhasegateDemo(args[0], readTokens(Path.of(args[1])));
        demo.run(Files.readString(Path.of(args[2]), StandardCharsets.UTF_8));
    }

    private void run(String workflowYaml) throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 6);
        String workflow = "demo-" + run;
        say("Publishing workflow " + workflow);
        send("PUT", "/workflows/" + workflow, "DEVELOPER", "application/yaml",
                workflowYaml.replaceFirst("(?m)^workflow:\\s*\\S+", "workflow: " + workflow), 201);

        say("Registering a local dock and provisioning a server");
        String dock = field(send("POST", "/docks", "ADMIN", "application/json",
                "{\"name\":\"demo local " + run + "\",\"provider\":\"local\",\"settings\":{},"
                        + "\"credentials\":{\"api_key\":\"demo-" + UUID.randomUUID() + "\"}}", 201), "dock_id");
        String resource = field(send("POST", "/resources", "ADMIN", "application/json",
                "{\"dock_id\":\"" + dock + "\",\"type\":\"server\",\"name\":\"demo-web-" + run + "\","
                        + "\"spec\":{\"cpus\":2,\"memory_gb\":4}}", 202), "resource_id");
        say("  resource " + resource + " is provisioning (watch /api/v1/streams/resources)");

        String[] titles = {"Add invoice export", "Fix the login redirect", "Document the API"};
        for (String title : titles) {
            String task = field(send("POST", "/tasks", "DEVELOPER", "application/json",
                    "{\"title\":\"" + title + "\",\"workflow_id\":\"" + workflow + "\"}", 201), "task_id");
            say("Task " + task + ": " + title);
            drive(task);
        }
        say("Demo done: 3 tasks completed, resource " + resource + " provisioned. Run it again for more events.");
    }

    /** A simulated agent takes one task from PLAN to COMPLETE; a reviewer approves it. */
    private void drive(String task) throws Exception {
        String agent = "demo-agent";
        String token = field(send("POST", "/tasks/claim", "AGENT", "application/json",
                "{\"agent_id\":\"" + agent + "\",\"capabilities\":[],\"task_id\":\"" + task + "\"}", 200),
                "phase_token");
        say("  claimed by " + agent + " in PLAN");
        token = transition(token, "PLAN", "TDD",
                "{\"plan\":{\"summary\":\"the plan\",\"acceptance_criteria\":[\"it works\"]}}");
        tool(token, "write_file", "{\"path\":\"tests/test_feature.py\"}");
        token = transition(token, "TDD", "IMPL", "{\"tests\":{\"files\":[\"tests/test_feature.py\"]},"
                + "\"test_result\":{\"passed\":0,\"failed\":2}}");
        tool(token, "write_file", "{\"path\":\"src/feature.py\"}");
        token = transition(token, "IMPL", "REVIEW", "{\"implementation\":{\"summary\":\"done\","
                + "\"files\":[\"src/feature.py\"]},\"test_result\":{\"passed\":2,\"failed\":0}}");
        send("POST", "/tasks/" + task + "/reviews", "REVIEWER", "application/json",
                "{\"verdict\":\"approve\",\"comments\":\"Looks good.\"}", 201);
        say("  reviewer approved");
        transition(token, "REVIEW", "COMPLETE", "{\"review\":{\"verdict\":\"approve\",\"blocking_issues\":[]}}");
    }

    private String transition(String token, String from, String to, String artifacts) throws Exception {
        pause();
        String answer = send("POST", "/tasks/transition", null, "application/json",
                "{\"phase_token\":\"" + token + "\",\"current_phase\":\"" + from + "\",\"target_phase\":\"" + to
                        + "\",\"artifacts\":" + artifacts + "}", 200);
        if (!answer.contains("\"allowed\":true")) {
            throw new IllegalStateException(from + " -> " + to + " was refused: " + answer);
        }
        say("  " + from + " -> " + to);
        return field(answer, "new_token");
    }

    private void tool(String token, String tool, String args) throws Exception {
        pause();
        send("POST", "/tools/execute", null, "application/json",
                "{\"phase_token\":\"" + token + "\",\"tool_name\":\"" + tool + "\",\"args\":" + args + "}", 200);
        say("  tool " + tool + " authorised");
    }

    private String send(String method, String path, String role, String contentType, String body, int expected)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway + "/api/v1" + path))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", contentType)
                .method(method, HttpRequest.BodyPublishers.ofString(body));
        if (role != null) {
            String token = tokens.get("PHASEGATE_" + role + "_TOKEN");
            if (token == null) {
                throw new IllegalStateException("no PHASEGATE_" + role + "_TOKEN in the tokens file");
            }
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return response.body();
    }

    /** A top-level string field of a JSON answer (the answers read here are flat where it matters). */
    private static String field(String json, String name) {
        Matcher matcher = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\"([^\"]+)\"").matcher(json);
        if (!matcher.find()) {
            throw new IllegalStateException("no " + name + " in " + json);
        }
        return matcher.group(1);
    }

    private static Map<String, String> readTokens(Path file) throws IOException {
        Map<String, String> tokens = new HashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.startsWith("#")) {
                tokens.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        return tokens;
    }

    private static void pause() throws InterruptedException {
        Thread.sleep(PAUSE.toMillis());
    }

    private static void say(String line) {
        System.out.println("[demo] " + line);
    }
}
