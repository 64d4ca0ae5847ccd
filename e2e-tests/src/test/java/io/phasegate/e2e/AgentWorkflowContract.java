package io.phasegate.e2e;

import static io.phasegate.e2e.E2eSupport.YAML;
import static io.phasegate.e2e.E2eSupport.assertProblem;
import static io.phasegate.e2e.E2eSupport.await;
import static io.phasegate.e2e.E2eSupport.shortId;
import static io.phasegate.e2e.E2eSupport.sleep;
import static io.phasegate.e2e.E2eSupport.texts;
import static io.phasegate.e2e.E2eSupport.withAlteredSignature;
import static io.phasegate.e2e.E2eSupport.workflowId;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * The agent contract of SPEC §4.1 end to end: an agent written as a plain HTTP client against the table of agent
 * endpoints drives tasks through their phases via the gateway, with humans reviewing and approving. Three real
 * service processes and a real database; subclasses choose the storage mode. Each test uses its own workflow ids
 * (and, where claim-next must not see other tests' tasks, its own organisation).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class AgentWorkflowContract {

    private final Http http = new Http();
    private final List<JsonNode> executorCalls = new CopyOnWriteArrayList<>();
    private PhasegateSystem system;
    private HttpServer executor;

    abstract PhasegateSystem.Mode mode();

    @BeforeAll
    void startSystem() throws IOException {
        // A registered tool executor for `run_tests` on loopback: it answers with a canned test report.
        executor = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        executor.createContext("/run", exchange -> {
            executorCalls.add(Http.JSON.readTree(exchange.getRequestBody().readAllBytes()));
            byte[] answer = "{\"passed\":12,\"failed\":0}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        executor.start();
        String executors = "{\"phasegate\":{\"tools\":{\"executors\":{\"run_tests\":\"http://127.0.0.1:"
                + executor.getAddress().getPort() + "/run\"}}}}";
        system = PhasegateSystem.start(mode(), Map.of("SPRING_APPLICATION_JSON", executors));
    }

    @AfterAll
    void stopSystem() {
        if (system != null) {
            system.close();
        }
        if (executor != null) {
            executor.stop(0);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // The whole lifecycle

    @Test
    void anAgentDrivesATaskFromPlanToCompleteWithAReviewerApproving() {
        String workflow = publishWorkflow(workflowId("life"), TEMPLATE_STRICT, system.developerToken());
        String taskId = createTask(system.developerToken(), workflow, "Add invoice export", List.of());
        String agent = "agent-" + shortId();

        // claim the given task
        JsonNode claim = claim(system.developerToken(), agent, taskId);
        JsonNode task = claim.path("task");
        assertThat(task.path("task_id").asString()).isEqualTo(taskId);
        assertThat(task.path("title").asString()).isEqualTo("Add invoice export");
        assertThat(task.path("status").asString()).isEqualTo("claimed");
        assertThat(task.path("phase").asString()).isEqualTo("PLAN");
        assertThat(task.path("workflow_id").asString()).isEqualTo(workflow);
        assertThat(task.path("workflow_version").asInt()).isEqualTo(1);
        assertThat(task.path("depends_on").isArray()).isTrue();
        String token = claim.path("phase_token").asString();
        assertThat(token.split("\\.")).hasSize(3);

        // the state snapshot with the phase token
        Http.Response snapshot = awaitSnapshot(token, "PLAN");
        assertThat(snapshot.json().path("task").path("task_id").asString()).isEqualTo(taskId);
        assertThat(snapshot.json().path("task_dependencies").isArray()).isTrue();
        assertThat(snapshot.json().path("completed_tasks").isArray()).isTrue();
        assertThat(snapshot.json().path("blockers").isArray()).isTrue();

        // PLAN: reading is allowed, writing is not
        assertThat(tool(token, "read_file", Map.of("path", "README.md")).path("result").path("status").asString())
                .isEqualTo("authorized");
        assertProblem(toolResponse(token, "write_file", Map.of("path", "tests/a.py")), 403, "tool_not_allowed");

        // heartbeat and refresh; the refreshed token supersedes the old one
        Http.Response heartbeat = http.post(api("/tasks/heartbeat")).json(Map.of("phase_token", token)).send();
        assertThat(heartbeat.status()).as(heartbeat.toString()).isEqualTo(200);
        assertThat(Instant.parse(heartbeat.json().path("lease_expires_at").asString())).isAfter(Instant.now());
        Http.Response refreshed = http.post(api("/tokens/refresh")).json(Map.of("phase_token", token)).send();
        assertThat(refreshed.status()).as(refreshed.toString()).isEqualTo(200);
        String oldToken = token;
        token = refreshed.json().path("phase_token").asString();
        assertThat(Instant.parse(refreshed.json().path("expires_at").asString())).isAfter(Instant.now());
        assertProblem(toolResponse(oldToken, "read_file", Map.of("path", "a")), 401, null);

        // PLAN -> TDD
        token = transition(token, "PLAN", "TDD", Map.of("plan", plan(List.of("exports a CSV", "totals per customer"))));

        // TDD: write tests only
        assertThat(tool(token, "write_file", Map.of("path", "tests/test_export.py")).path("call_id").asString())
                .isNotBlank();
        assertThat(tool(token, "write_file", Map.of("path", "src/test/java/ExportTest.java")).path("result")
                .path("status").asString()).isEqualTo("authorized");
        assertProblem(toolResponse(token, "write_file", Map.of("path", "src/export.py")), 403, "constraint_violated");
        assertProblem(toolResponse(token, "write_file", Map.of("path", "tests/../src/export.py")), 403,
                "constraint_violated");
        // a registered executor runs the tool and its result comes back
        JsonNode executed = tool(token, "run_tests", Map.of("suite", "unit"));
        assertThat(executed.path("result").path("passed").asInt()).isEqualTo(12);
        assertThat(executorCalls).anySatisfy(call -> {
            assertThat(call.path("tool_name").asString()).isEqualTo("run_tests");
            assertThat(call.path("task_id").asString()).isEqualTo(taskId);
            assertThat(call.path("args").path("suite").asString()).isEqualTo("unit");
        });

        // TDD -> IMPL (tests must fail first), IMPL -> REVIEW (tests must pass)
        token = transition(token, "TDD", "IMPL", Map.of("tests", Map.of("files", List.of("tests/test_export.py")),
                "test_result", Map.of("passed", 0, "failed", 3)));
        token = transition(token, "IMPL", "REVIEW", Map.of(
                "implementation", Map.of("summary", "CSV export", "files", List.of("src/export.py")),
                "test_result", Map.of("passed", 3, "failed", 0)));

        // REVIEW: completing needs the requested review
        JsonNode early = transitionBody(token, "REVIEW", "COMPLETE", Map.of("review", review("approve")));
        assertThat(early.path("allowed").asBoolean()).isFalse();
        assertThat(codes(early.path("blockers"))).contains("reviews_approved");

        String reviewer = system.mintUserToken("reviewer-" + shortId(), PhasegateSystem.DEMO_ORG,
                List.of("developer", "reviewer"));
        Http.Response reviewed = http.post(api("/tasks/" + taskId + "/reviews")).bearer(reviewer)
                .json(Map.of("verdict", "approve", "comments", "Looks good.")).send();
        assertThat(reviewed.status()).as(reviewed.toString()).isEqualTo(201);
        assertThat(reviewed.json().path("review_id").asString()).isNotBlank();

        JsonNode done = transitionBody(token, "REVIEW", "COMPLETE", Map.of("review", review("approve")));
        assertThat(done.path("allowed").asBoolean()).as(done.toString()).isTrue();

        // completed: visible to humans, and the agent's tokens are void
        Http.Response completed = awaitTask(taskId, "completed");
        assertThat(completed.json().path("phase").asString()).isEqualTo("COMPLETE");
        assertProblem(toolResponse(done.path("new_token").asString(), "read_file", Map.of("path", "a")), 401, null);

        // the history holds every step
        assertThat(system.countEvents(taskId, "TaskTransitionedEvent")).isEqualTo(4);
        assertThat(system.countEvents(taskId, "TaskTransitionRejectedEvent")).isEqualTo(1);
        assertThat(system.countEvents(taskId, "TaskCompletedEvent")).isEqualTo(1);
        assertThat(system.countEvents(taskId, "ReviewSubmittedEvent")).isEqualTo(1);

        assertTheHistoryReplaysTheTask(taskId, agent);
    }

    /**
     * The auditors' history of a finished task, in every storage mode (Axon Server too, ADR 0013): its events in
     * global order with their positions, the same events in the organisation's whole stream filtered by position
     * range and type, as server-sent events with a limit, and the task as of its first, its claim and its last
     * event; another organisation sees none of it; bad parameters are 400.
     */
    private void assertTheHistoryReplaysTheTask(String taskId, String agent) {
        String auditor = system.auditorToken();
        List<JsonNode> events = ndjson(http.get(api("/history/events?aggregate_id=" + taskId)).bearer(auditor).send());
        assertThat(events).as("the task's events").hasSizeGreaterThanOrEqualTo(8);
        for (int i = 0; i < events.size(); i++) {
            JsonNode event = events.get(i);
            assertThat(event.path("aggregate_id").asString()).isEqualTo(taskId);
            assertThat(event.path("sequence").asLong()).as("sequence of " + event).isEqualTo(i);
            assertThat(event.path("payload").path("orgId").asString()).isEqualTo(PhasegateSystem.DEMO_ORG);
            assertThat(event.path("payload_type").asString()).endsWith("." + event.path("type").asString());
            assertThat(event.path("metadata").isObject()).isTrue();
            assertThat(Instant.parse(event.path("timestamp").asString())).isBefore(Instant.now().plusSeconds(5));
            if (i > 0) {
                assertThat(event.path("position").asLong()).isGreaterThan(events.get(i - 1).path("position").asLong());
            }
        }
        assertThat(events.get(0).path("type").asString()).isEqualTo("TaskCreatedEvent");
        assertThat(events).anySatisfy(e -> assertThat(e.path("type").asString()).isEqualTo("TaskCompletedEvent"));
        long first = events.get(0).path("position").asLong();
        long last = events.get(events.size() - 1).path("position").asLong();
        assertThat(first).isPositive();
        JsonNode claimed = events.stream().filter(e -> "TaskClaimedEvent".equals(e.path("type").asString()))
                .findFirst().orElseThrow();

        // the organisation's stream over the task's range, one type: the same events, found by a global read
        List<JsonNode> transitions = ndjson(http.get(api("/history/events?from_position=" + first + "&to_position="
                + last + "&type=TaskTransitionedEvent")).bearer(auditor).send());
        assertThat(transitions).allSatisfy(e -> {
            assertThat(e.path("type").asString()).isEqualTo("TaskTransitionedEvent");
            assertThat(e.path("position").asLong()).isBetween(first, last);
            assertThat(e.path("payload").path("orgId").asString()).isEqualTo(PhasegateSystem.DEMO_ORG);
        });
        assertThat(transitions.stream().filter(e -> taskId.equals(e.path("aggregate_id").asString()))
                .map(e -> e.path("position").asLong()).toList())
                .isEqualTo(events.stream().filter(e -> "TaskTransitionedEvent".equals(e.path("type").asString()))
                        .map(e -> e.path("position").asLong()).toList());

        // as server-sent events, with a limit: two events and the end
        Http.Response sse = http.get(api("/history/events?aggregate_id=" + taskId + "&limit=2")).bearer(auditor)
                .header("Accept", "text/event-stream").send();
        assertThat(sse.status()).as(sse.toString()).isEqualTo(200);
        assertThat(sse.body()).contains("id: " + first + "\nevent: history_event\n")
                .contains("event: end\ndata: {\"count\":2,");

        // the task as of its creation, its claim and its completion; nothing before it existed
        JsonNode created = asOf(auditor, taskId, "as_of_position=" + first, 200).json();
        assertThat(created.path("events_applied").asInt()).isEqualTo(1);
        assertThat(created.path("position").asLong()).isEqualTo(first);
        assertThat(created.path("created_position").asLong()).isEqualTo(first);
        assertThat(created.path("claimed_by").isNull() || created.path("claimed_by").isMissingNode()).isTrue();
        JsonNode atClaim = asOf(auditor, taskId, "as_of_position=" + claimed.path("position").asLong(), 200).json();
        assertThat(atClaim.path("status").asString()).isEqualTo("claimed");
        assertThat(atClaim.path("claimed_by").asString()).isEqualTo(agent);
        assertThat(atClaim.path("phase").asString()).isEqualTo("PLAN");
        JsonNode atTime = asOf(auditor, taskId, "as_of_time=" + claimed.path("timestamp").asString(), 200).json();
        assertThat(atTime.path("position").asLong()).isGreaterThanOrEqualTo(claimed.path("position").asLong());
        JsonNode atEnd = asOf(system.developerToken(), taskId, "as_of_position=" + last, 200).json();
        assertThat(atEnd.path("status").asString()).isEqualTo("completed");
        assertThat(atEnd.path("phase").asString()).isEqualTo("COMPLETE");
        assertThat(atEnd.path("position").asLong()).isEqualTo(last);
        assertProblem(asOf(auditor, taskId, "as_of_position=" + (first - 1), 404), 404, "task_not_found");
        assertProblem(asOf(auditor, taskId, "as_of_time=2001-01-01T00:00:00Z", 404), 404, "task_not_found");

        // another organisation: nothing
        String stranger = system.mintUserToken("auditor-" + shortId(), "org-" + shortId(), List.of("auditor"));
        assertThat(ndjson(http.get(api("/history/events?aggregate_id=" + taskId)).bearer(stranger).send())).isEmpty();
        assertProblem(asOf(stranger, taskId, "as_of_position=" + last, 404), 404, "task_not_found");

        // bad input
        assertProblem(asOf(auditor, taskId, "as_of_position=abc", 400), 400, "invalid_parameter");
        assertProblem(http.get(api("/history/events?from_position=" + last + "&to_position=" + first))
                .bearer(auditor).send(), 400, "invalid_parameter");
    }

    private Http.Response asOf(String token, String taskId, String query, int expected) {
        Http.Response response = http.get(api("/history/tasks/" + taskId + "?" + query)).bearer(token).send();
        assertThat(response.status()).as(response.toString()).isEqualTo(expected);
        return response;
    }

    private static List<JsonNode> ndjson(Http.Response response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.contentType()).startsWith("application/x-ndjson");
        List<JsonNode> items = new ArrayList<>();
        for (String line : response.body().split("\n")) {
            if (!line.isBlank()) {
                items.add(Http.JSON.readTree(line));
            }
        }
        return items;
    }

    // ------------------------------------------------------------------------------------------------
    // Rejections

    @Test
    void transitionsWithMissingOrInvalidArtifactsOrFailingGatesAreRefusedAndRecorded() {
        String workflow = publishWorkflow(workflowId("reject"), TEMPLATE_STRICT, system.developerToken());
        String taskId = createTask(system.developerToken(), workflow, "Refusals", List.of());
        String token = claim(system.developerToken(), "agent-" + shortId(), taskId).path("phase_token").asString();

        JsonNode missing = transitionBody(token, "PLAN", "TDD", Map.of());
        assertThat(missing.path("allowed").asBoolean()).isFalse();
        assertThat(codes(missing.path("blockers"))).contains("missing_artifact");
        assertThat(missing.has("new_token")).isFalse();

        JsonNode invalid = transitionBody(token, "PLAN", "TDD", Map.of("plan", Map.of("summary", 42)));
        assertThat(invalid.path("allowed").asBoolean()).isFalse();
        assertThat(codes(invalid.path("blockers"))).contains("invalid_artifact");
        invalid.path("blockers").forEach(b -> assertThat(b.path("message").asString()).isNotBlank());

        JsonNode failingGate = transitionBody(token, "PLAN", "TDD", Map.of("plan", plan(List.of())));
        assertThat(failingGate.path("allowed").asBoolean()).isFalse();
        assertThat(codes(failingGate.path("blockers"))).containsExactly("plan_has_acceptance_criteria");

        JsonNode unknown = transitionBody(token, "PLAN", "COMPLETE", Map.of());
        assertThat(codes(unknown.path("blockers"))).contains("unknown_transition");
        JsonNode mismatch = transitionBody(token, "TDD", "IMPL", Map.of());
        assertThat(codes(mismatch.path("blockers"))).contains("phase_mismatch");

        // nothing changed: same phase, and the token still works; each refusal is in the history
        assertThat(awaitTask(taskId, "claimed").json().path("phase").asString()).isEqualTo("PLAN");
        assertThat(tool(token, "read_file", Map.of("path", "x")).path("call_id").asString()).isNotBlank();
        assertThat(system.countEvents(taskId, "TaskTransitionRejectedEvent")).isEqualTo(5);
        assertThat(system.countEvents(taskId, "TaskTransitionedEvent")).isZero();

        // the snapshot shows the last refusal's blockers
        Http.Response snapshot = http.get(api("/state/snapshot")).bearer(token).send();
        assertThat(snapshot.status()).as(snapshot.toString()).isEqualTo(200);
        assertThat(codes(awaitBlockers(token))).contains("phase_mismatch");

        // and the workflow's gate block rate counts them
        Http.Response metrics = awaitMetrics(workflow, 5);
        assertThat(metrics.json().path("gate_block_rate").asDouble()).isEqualTo(1.0);
    }

    @Test
    void badStaleAndForeignPhaseTokensAreUnauthorisedAndWriteNothing() {
        String workflow = publishWorkflow(workflowId("tokens"), TEMPLATE_STRICT, system.developerToken());
        String taskA = createTask(system.developerToken(), workflow, "A", List.of());
        String taskB = createTask(system.developerToken(), workflow, "B", List.of());
        String agentA = "agent-a-" + shortId();
        String agentB = "agent-b-" + shortId();
        String tokenA = claim(system.developerToken(), agentA, taskA).path("phase_token").asString();
        claim(system.developerToken(), agentB, taskB);

        Map<String, Object> plan = Map.of("plan", plan(List.of("x")));
        long before = system.countEvents();

        // tampered, expired, wrong type, for another task
        assertUnauthorised(withAlteredSignature(tokenA), plan);
        String[] parts = tokenA.split("\\.");
        String forgedPayload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace(taskA, taskB);
        assertUnauthorised(parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(forgedPayload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2], plan);
        Instant past = Instant.now().minus(Duration.ofHours(3));
        assertUnauthorised(system.mintPhaseToken(agentA, taskA, "PLAN", 1, past, past.plus(Duration.ofHours(1))), plan);
        // validly signed, but task B is claimed by agent B: one task's agent cannot act on another task
        Instant now = Instant.now();
        assertUnauthorised(system.mintPhaseToken(agentA, taskB, "PLAN", 1, now, now.plus(Duration.ofHours(1))), plan);
        // a user token is not a phase token
        assertUnauthorised(system.developerToken(), plan);
        assertUnauthorised("", plan);
        assertThat(system.countEvents()).as("no event for refused tokens").isEqualTo(before);

        // and a phase token is not a user token
        assertProblem(http.get(api("/tasks")).bearer(tokenA).send(), 401, "unauthenticated");
        assertProblem(http.post(api("/tasks")).bearer(tokenA)
                .json(Map.of("title", "x", "workflow_id", workflow)).send(), 401, "unauthenticated");
        assertProblem(http.get(api("/state/snapshot")).bearer(system.developerToken()).send(), 401, null);

        // superseded by a transition
        String next = transition(tokenA, "PLAN", "TDD", plan);
        assertUnauthorised(tokenA, Map.of());
        assertProblem(http.get(api("/state/snapshot")).bearer(tokenA).send(), 401, null);
        assertThat(tool(next, "read_file", Map.of("path", "x")).path("call_id").asString()).isNotBlank();

        // released: the token is void and the task is claimable again
        Http.Response released = http.post(api("/tasks/release")).json(Map.of("phase_token", next)).send();
        assertThat(released.status()).as(released.toString()).isEqualTo(200);
        assertProblem(toolResponse(next, "read_file", Map.of("path", "x")), 401, null);
        assertThat(claim(system.developerToken(), agentB, taskA).path("task").path("phase").asString())
                .isEqualTo("TDD");
    }

    @Test
    void claimNeedsAUserIdentityWithTaskPermission() {
        String workflow = publishWorkflow(workflowId("claimauth"), TEMPLATE_STRICT, system.developerToken());
        String taskId = createTask(system.developerToken(), workflow, "Guarded", List.of());
        long before = system.countEvents();
        assertProblem(http.post(api("/tasks/claim")).json(Map.of("agent_id", "a1", "task_id", taskId)).send(),
                401, "unauthenticated");
        assertProblem(http.post(api("/tasks/claim")).bearer(system.viewerToken())
                .json(Map.of("agent_id", "a1", "task_id", taskId)).send(), 403, "forbidden");
        assertProblem(http.post(api("/tasks/claim")).bearer(system.developerToken())
                .json(Map.of("agent_id", "", "task_id", taskId)).send(), 400, "validation_failed");
        assertProblem(http.post(api("/tasks/claim")).bearer(system.developerToken())
                .body("{\"agent_id\": \"a1\", \"unknown\": 1}", "application/json").send(), 400, null);
        // another organisation's task is not found
        String stranger = system.mintUserToken("stranger", "org-" + shortId(), List.of("developer"));
        assertProblem(http.post(api("/tasks/claim")).bearer(stranger)
                .json(Map.of("agent_id", "a1", "task_id", taskId)).send(), 404, "task_not_found");
        assertThat(system.countEvents()).isEqualTo(before);
    }

    // ------------------------------------------------------------------------------------------------
    // Races, leases, permissive mode, approvals

    @Test
    void fiftyAgentsRaceForFiveTasksAndExactlyFiveWin() throws Exception {
        String org = "race-" + shortId();
        String developer = system.mintUserToken("lead", org, List.of("developer"));
        String workflow = publishWorkflow(workflowId("race"), TEMPLATE_STRICT, developer);
        Set<String> tasks = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            tasks.add(createTask(developer, workflow, "race " + i, List.of()));
        }
        int agents = 50;
        ExecutorService pool = Executors.newFixedThreadPool(agents);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Http.Response>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < agents; i++) {
                String agent = "racer-" + i;
                answers.add(pool.submit(() -> {
                    start.await();
                    return http.post(api("/tasks/claim")).bearer(developer)
                            .json(Map.of("agent_id", agent, "capabilities", List.of())).send();
                }));
            }
            start.countDown();
            List<String> won = new ArrayList<>();
            int lost = 0;
            for (Future<Http.Response> answer : answers) {
                Http.Response response = answer.get(60, TimeUnit.SECONDS);
                if (response.status() == 200) {
                    won.add(response.json().path("task").path("task_id").asString());
                } else {
                    assertProblem(response, 404, "no_claimable_task");
                    assertThat(response.json().path("detail").asString()).isNotBlank();
                    lost++;
                }
            }
            assertThat(won).hasSize(5).doesNotHaveDuplicates();
            assertThat(Set.copyOf(won)).isEqualTo(tasks);
            assertThat(lost).isEqualTo(agents - 5);
            for (String task : tasks) {
                assertThat(system.countEvents(task, "TaskClaimedEvent")).as("claims of " + task).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void claimNextRespectsDependenciesCapabilitiesAndPriority() {
        String org = "next-" + shortId();
        String developer = system.mintUserToken("lead", org, List.of("developer"));
        String workflow = publishWorkflow(workflowId("next"), TEMPLATE_STRICT, developer);
        String first = createTask(developer, workflow, "first", List.of());
        String blocked = createTask(developer, workflow, "blocked", List.of(first), 100, List.of());
        String needsGpu = createTask(developer, workflow, "gpu", List.of(), 50, List.of("gpu"));
        String low = createTask(developer, workflow, "low", List.of(), -5, List.of());

        // the dependent task is skipped however high its priority, the gpu task without the capability
        assertThat(claimNext(developer, "n1", List.of())).isEqualTo(first);
        assertThat(claimNext(developer, "n2", List.of("gpu"))).isEqualTo(needsGpu);
        assertThat(claimNext(developer, "n3", List.of())).isEqualTo(low);
        assertProblem(http.post(api("/tasks/claim")).bearer(developer).json(Map.of("agent_id", "n4")).send(),
                404, "no_claimable_task");
        // claiming the dependent task directly is refused while its dependency is open
        assertProblem(http.post(api("/tasks/claim")).bearer(developer)
                .json(Map.of("agent_id", "n4", "task_id", blocked)).send(), 409, "dependencies_incomplete");
    }

    @Test
    void anExpiredLeaseReturnsTheTaskToThePool() {
        String yaml = TEMPLATE_STRICT.replaceFirst("(?m)^claim_lease_seconds:.*$", "claim_lease_seconds: 5");
        String workflow = publishWorkflow(workflowId("lease"), yaml, system.developerToken());
        String taskId = createTask(system.developerToken(), workflow, "Short lease", List.of());
        String token = claim(system.developerToken(), "sleepy-" + shortId(), taskId).path("phase_token").asString();
        // a transition does not extend the lease
        token = transition(token, "PLAN", "TDD", Map.of("plan", plan(List.of("x"))));

        awaitTask(taskId, "created");
        assertThat(system.countEvents(taskId, "TaskClaimExpiredEvent")).isEqualTo(1);
        assertProblem(toolResponse(token, "read_file", Map.of("path", "x")), 401, null);
        JsonNode again = claim(system.developerToken(), "fresh-" + shortId(), taskId);
        assertThat(again.path("task").path("phase").asString()).isEqualTo("TDD");
    }

    @Test
    void permissiveModeLetsViolationsPassAndRecordsWarnings() {
        String yaml = TEMPLATE_STRICT.replaceFirst("(?m)^enforcement:.*$", "enforcement: permissive");
        String workflow = publishWorkflow(workflowId("lenient"), yaml, system.developerToken());
        String taskId = createTask(system.developerToken(), workflow, "Lenient", List.of());
        String token = claim(system.developerToken(), "agent-" + shortId(), taskId).path("phase_token").asString();

        JsonNode tool = tool(token, "write_file", Map.of("path", "src/main.py"));
        assertThat(tool.path("warnings").size()).isPositive();

        JsonNode passed = transitionBody(token, "PLAN", "TDD", Map.of());
        assertThat(passed.path("allowed").asBoolean()).as(passed.toString()).isTrue();
        assertThat(codes(passed.path("warnings"))).contains("missing_artifact");
        assertThat(system.countEvents(taskId, "TaskTransitionedEvent")).isEqualTo(1);

        Http.Response calls = awaitToolCalls(taskId, 1);
        JsonNode call = calls.json().path("items").get(0);
        assertThat(call.path("tool_name").asString()).isEqualTo("write_file");
        assertThat(call.path("decision").asString()).isEqualTo("allowed");
        assertThat(call.path("warnings").size()).isPositive();
    }

    @Test
    void anApprovalRequiredToolRunsOnceAfterAHumanGrantsIt() {
        String yaml = TEMPLATE_STRICT.replace("  - id: PLAN\n    tools:\n      allowed: [read_file, search_code]",
                "  - id: PLAN\n    tools:\n      allowed: [read_file, search_code]\n      approval_required: [deploy_preview]");
        assertThat(yaml).contains("approval_required: [deploy_preview]\n  - id: TDD");
        String workflow = publishWorkflow(workflowId("approve"), yaml, system.developerToken());
        String taskId = createTask(system.developerToken(), workflow, "Deploy", List.of());
        String agent = "agent-" + shortId();
        String token = claim(system.developerToken(), agent, taskId).path("phase_token").asString();
        Map<String, Object> args = Map.of("environment", "preview", "api_token", "s3cr3t-value");

        Http.Response waiting = toolResponse(token, "deploy_preview", args);
        assertProblem(waiting, 403, "approval_required");
        String approvalId = waiting.json().path("approval_id").asString();
        assertThat(approvalId).isNotBlank();
        assertThat(waiting.body()).doesNotContain("s3cr3t-value");

        // a developer may not grant; an admin may
        assertProblem(http.post(api("/tasks/" + taskId + "/approvals/" + approvalId + "/grant"))
                .bearer(system.developerToken()).json(Map.of()).send(), 403, null);
        Http.Response granted = http.post(api("/tasks/" + taskId + "/approvals/" + approvalId + "/grant"))
                .bearer(system.adminToken()).json(Map.of("comment", "ok")).send();
        assertThat(granted.status()).as(granted.toString()).isEqualTo(200);

        assertThat(tool(token, "deploy_preview", args).path("result").path("status").asString())
                .isEqualTo("authorized");
        assertProblem(toolResponse(token, "deploy_preview", args), 403, "approval_required");
        assertThat(system.countEvents(taskId, "ToolApprovalGrantedEvent")).isEqualTo(1);
    }

    // ------------------------------------------------------------------------------------------------
    // Key rotation (runs last: it changes the signing key every later phase token would carry)

    @Test
    @Order(Integer.MAX_VALUE)
    void operatorsRotatePhaseTokenKeysAndRetireOldOnes() {
        String workflow = publishWorkflow(workflowId("keys"), TEMPLATE_STRICT, system.developerToken());
        String before = claim(system.developerToken(), "agent-" + shortId(),
                createTask(system.developerToken(), workflow, "before", List.of())).path("phase_token").asString();
        String oldKid = kidOf(before);

        // only admins of the operator organisation
        assertProblem(http.post(api("/admin/phase-token-keys/rotate")).bearer(system.developerToken()).send(),
                403, "forbidden");
        String foreignAdmin = system.mintUserToken("admin-x", "org-" + shortId(), List.of("admin"));
        assertProblem(http.post(api("/admin/phase-token-keys/rotate")).bearer(foreignAdmin).send(), 403, "forbidden");
        assertProblem(http.post(api("/admin/phase-token-keys/" + oldKid + "/retire")).bearer(system.adminToken())
                .send(), 409, "key_active");

        long events = system.countEvents();
        Http.Response rotated = http.post(api("/admin/phase-token-keys/rotate")).bearer(system.adminToken()).send();
        assertThat(rotated.status()).as(rotated.toString()).isEqualTo(200);
        assertThat(system.countEvents()).as("key rotation is configuration, not an event").isEqualTo(events);
        String newKid = rotated.json().path("active_kid").asString();
        assertThat(newKid).isNotEqualTo(oldKid);
        assertThat(texts(rotated.json().path("kids"))).contains(oldKid, newKid);
        assertThat(texts(http.get(system.gatewayUrl() + "/.well-known/jwks.json").send().json().path("keys"), "kid"))
                .contains(oldKid, newKid);

        // tokens of the old key keep working; new ones carry the new key
        assertThat(tool(before, "read_file", Map.of("path", "x")).path("call_id").asString()).isNotBlank();
        String after = claim(system.developerToken(), "agent-" + shortId(),
                createTask(system.developerToken(), workflow, "after", List.of())).path("phase_token").asString();
        assertThat(kidOf(after)).isEqualTo(newKid);

        Http.Response retired = http.post(api("/admin/phase-token-keys/" + oldKid + "/retire"))
                .bearer(system.adminToken()).send();
        assertThat(retired.status()).as(retired.toString()).isEqualTo(200);
        assertThat(texts(retired.json().path("kids"))).containsExactly(newKid);
        assertProblem(toolResponse(before, "read_file", Map.of("path", "x")), 401, "invalid_phase_token");
        assertThat(tool(after, "read_file", Map.of("path", "x")).path("call_id").asString()).isNotBlank();
        assertProblem(http.post(api("/admin/phase-token-keys/no-such-kid/retire")).bearer(system.adminToken())
                .send(), 404, "key_not_found");
    }

    private static String kidOf(String jwt) {
        String header = new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[0]), StandardCharsets.UTF_8);
        return Http.JSON.readTree(header).path("kid").asString();
    }

    // ------------------------------------------------------------------------------------------------
    // The agent's side of the contract

    private JsonNode claim(String userToken, String agentId, String taskId) {
        Http.Response response = http.post(api("/tasks/claim")).bearer(userToken)
                .json(Map.of("agent_id", agentId, "capabilities", List.of(), "task_id", taskId)).send();
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }

    private String claimNext(String userToken, String agentId, List<String> capabilities) {
        Http.Response response = http.post(api("/tasks/claim")).bearer(userToken)
                .json(Map.of("agent_id", agentId, "capabilities", capabilities)).send();
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json().path("task").path("task_id").asString();
    }

    private JsonNode transitionBody(String token, String from, String to, Map<String, Object> artifacts) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("current_phase", from);
        body.put("target_phase", to);
        body.put("phase_token", token);
        body.put("artifacts", artifacts);
        Http.Response response = http.post(api("/tasks/transition")).json(body).send();
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }

    /** A transition that must be allowed; answers the new token. */
    private String transition(String token, String from, String to, Map<String, Object> artifacts) {
        JsonNode body = transitionBody(token, from, to, artifacts);
        assertThat(body.path("allowed").asBoolean()).as(body.toString()).isTrue();
        String next = body.path("new_token").asString();
        assertThat(next).isNotBlank().isNotEqualTo(token);
        return next;
    }

    private void assertUnauthorised(String token, Map<String, Object> artifacts) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("current_phase", "PLAN");
        body.put("target_phase", "TDD");
        body.put("phase_token", token);
        body.put("artifacts", artifacts);
        assertProblem(http.post(api("/tasks/transition")).json(body).send(), 401, null);
        assertProblem(toolResponse(token, "read_file", Map.of("path", "x")), 401, null);
        assertProblem(http.post(api("/tokens/refresh")).json(Map.of("phase_token", token)).send(), 401, null);
        assertProblem(http.post(api("/tasks/heartbeat")).json(Map.of("phase_token", token)).send(), 401, null);
    }

    private Http.Response toolResponse(String token, String tool, Map<String, Object> args) {
        return http.post(api("/tools/execute"))
                .json(Map.of("phase_token", token, "tool_name", tool, "args", args)).send();
    }

    private JsonNode tool(String token, String tool, Map<String, Object> args) {
        Http.Response response = toolResponse(token, tool, args);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.json().path("call_id").asString()).isNotBlank();
        return response.json();
    }

    private Http.Response awaitSnapshot(String token, String phase) {
        return await(() -> http.get(api("/state/snapshot")).bearer(token).send(),
                r -> r.status() == 200 && phase.equals(r.json().path("task").path("phase").asString()),
                "snapshot in " + phase);
    }

    private JsonNode awaitBlockers(String token) {
        return await(() -> http.get(api("/state/snapshot")).bearer(token).send(),
                r -> r.status() == 200 && r.json().path("blockers").size() > 0, "snapshot blockers")
                .json().path("blockers");
    }

    private Http.Response awaitTask(String taskId, String status) {
        return await(() -> http.get(api("/tasks/" + taskId)).bearer(system.viewerToken()).send(),
                r -> r.status() == 200 && status.equals(r.json().path("status").asString()), "task " + status);
    }

    private Http.Response awaitMetrics(String workflow, int rejected) {
        return await(() -> http.get(api("/workflows/" + workflow + "/metrics")).bearer(system.viewerToken()).send(),
                r -> r.status() == 200 && r.json().path("transitions_rejected").asInt() >= rejected, "metrics");
    }

    private Http.Response awaitToolCalls(String taskId, int count) {
        return await(() -> http.get(api("/tool-calls?task_id=" + taskId)).bearer(system.viewerToken()).send(),
                r -> r.status() == 200 && r.json().path("items").size() >= count, "tool calls");
    }

    // ------------------------------------------------------------------------------------------------
    // Humans' side and test data

    private static final String TEMPLATE_STRICT = E2eSupport.TEMPLATE;

    private String api(String path) {
        return system.gatewayUrl() + "/api/v1" + path;
    }

    private String publishWorkflow(String id, String template, String token) {
        String yaml = template.replaceFirst("(?m)^workflow:\\s*tdd-default", "workflow: " + id);
        Http.Response response = http.put(api("/workflows/" + id)).bearer(token).body(yaml, YAML).send();
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return id;
    }

    private String createTask(String token, String workflow, String title, List<String> dependsOn) {
        return createTask(token, workflow, title, dependsOn, 0, List.of());
    }

    private String createTask(String token, String workflow, String title, List<String> dependsOn, int priority,
                              List<String> capabilities) {
        Http.Response response = http.post(api("/tasks")).bearer(token).json(Map.of("title", title,
                "workflow_id", workflow, "depends_on", dependsOn, "priority", priority,
                "required_capabilities", capabilities)).send();
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response.json().path("task_id").asString();
    }

    private static Map<String, Object> plan(List<String> criteria) {
        return Map.of("summary", "the plan", "acceptance_criteria", criteria);
    }

    private static Map<String, Object> review(String verdict) {
        return Map.of("verdict", verdict, "blocking_issues", List.of());
    }

    private static List<String> codes(JsonNode blockers) {
        return texts(blockers, "code");
    }
}
