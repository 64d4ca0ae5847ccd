package io.phasegate.e2e;

import static io.phasegate.e2e.E2eSupport.YAML;
import static io.phasegate.e2e.E2eSupport.assertProblem;
import static io.phasegate.e2e.E2eSupport.workflowId;
import static io.phasegate.e2e.E2eSupport.workflowYaml;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * SPEC §7, "racing claims, racing updates ... never corrupt state": two command-service processes on the same
 * PostgreSQL database, driven directly (with internal identity tokens, as the gateway would send them) on the same
 * task aggregates at once. Exactly one winner where the domain says so, clean 4xx problems for the losers, never a
 * 5xx; afterwards every task's stored events are gapless and their fold equals what the query side shows.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresTwoCommandInstancesReliabilityIT {

    private final Http http = new Http();
    private PhasegateSystem system;
    private List<String> instances;
    private String workflow;

    @BeforeAll
    void startSystem() {
        system = PhasegateSystem.start(PhasegateSystem.Mode.POSTGRES, Map.of(
                "PHASEGATE_RATE_LIMIT_ORG", "100000", "PHASEGATE_RATE_LIMIT_AGENT", "100000"));
        String second = system.startExtraInstance("command-service");
        instances = List.of(system.commandUrl(), system.instanceUrl(second));
        workflow = workflowId("twin");
        Http.Response published = http.put(system.gatewayUrl() + "/api/v1/workflows/" + workflow)
                .bearer(system.developerToken()).body(workflowYaml(workflow, 1), YAML).send();
        assertThat(published.status()).as(published.toString()).isEqualTo(201);
    }

    @AfterAll
    void stopSystem() {
        if (system != null) {
            system.close();
        }
    }

    @Test
    void racingClaimsOnBothInstancesHaveExactlyOneWinnerPerTask() throws Exception {
        List<String> tasks = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            tasks.add(createTask("claim race " + i));
        }
        int perTask = 10;
        List<Callable<Http.Response>> calls = new ArrayList<>();
        for (String task : tasks) {
            for (int i = 0; i < perTask; i++) {
                String instance = instances.get(i % 2);
                String agent = "racer-" + i + "-" + task.substring(0, 6);
                calls.add(() -> http.post(instance + "/api/v1/tasks/claim").header("X-Phasegate-Identity",
                        userIdentity()).json(Map.of("agent_id", agent, "capabilities", List.of(), "task_id", task))
                        .send());
            }
        }
        List<Http.Response> answers = race(calls);
        Map<String, Integer> winners = new TreeMap<>();
        for (Http.Response answer : answers) {
            if (answer.status() == 200) {
                winners.merge(answer.json().path("task").path("task_id").asString(), 1, Integer::sum);
            } else {
                assertCleanLoss(answer, "task_not_claimable", "conflict");
            }
        }
        System.out.println("[reliability] claim race: " + summary(answers));
        assertThat(winners.keySet()).containsExactlyInAnyOrderElementsOf(tasks);
        assertThat(winners.values()).allMatch(n -> n == 1);
        ReliabilityEventStore store = ReliabilityEventStore.read(system, "Task");
        for (String task : tasks) {
            assertThat(store.count(task, "TaskClaimedEvent")).as("claims of " + task).isEqualTo(1);
        }
        assertStoreAndQuerySideAgree(tasks);
    }

    @Test
    void heartbeatsAndTransitionsOfOneTaskRacingOnBothInstancesStayConsistent() throws Exception {
        String task = createTask("one task, two instances");
        JsonNode claim = claim(instances.get(0), task, "agent-hb");
        String token = claim.path("phase_token").asString();

        // 20 heartbeats at once, alternating instances: each renews the lease or loses cleanly.
        List<Callable<Http.Response>> heartbeats = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String instance = instances.get(i % 2);
            heartbeats.add(() -> http.post(instance + "/api/v1/tasks/heartbeat").header("X-Phasegate-Identity",
                    bearerIdentity()).json(Map.of("phase_token", token)).send());
        }
        List<Http.Response> beats = race(heartbeats);
        long renewed = beats.stream().filter(r -> r.status() == 200).count();
        beats.stream().filter(r -> r.status() != 200).forEach(r -> assertCleanLoss(r, "conflict"));
        System.out.println("[reliability] heartbeat race: " + summary(beats));
        assertThat(renewed).as("renewed leases").isPositive();
        assertThat(ReliabilityEventStore.read(system, "Task").count(task, "TaskLeaseRenewedEvent"))
                .as("lease renewals stored").isEqualTo(renewed);

        // 10 transitions PLAN -> TDD with the same token at once: exactly one is allowed; its new token supersedes
        // the one the others carry.
        Map<String, Object> body = Map.of("current_phase", "PLAN", "target_phase", "TDD", "phase_token", token,
                "artifacts", Map.of("plan", Map.of("summary", "race", "acceptance_criteria", List.of("one wins"))));
        List<Callable<Http.Response>> transitions = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String instance = instances.get(i % 2);
            transitions.add(() -> http.post(instance + "/api/v1/tasks/transition").header("X-Phasegate-Identity",
                    bearerIdentity()).json(body).send());
        }
        List<Http.Response> moves = race(transitions);
        System.out.println("[reliability] transition race: " + summary(moves));
        List<Http.Response> allowed = moves.stream()
                .filter(r -> r.status() == 200 && r.json().path("allowed").asBoolean()).toList();
        assertThat(allowed).as("allowed transitions").hasSize(1);
        for (Http.Response r : moves) {
            if (r.status() == 200) {
                // a loser that read the task after the winner committed sees it in TDD already: phase_mismatch
                assertThat(r == allowed.get(0) || !r.json().path("allowed").asBoolean()).isTrue();
            } else {
                assertCleanLoss(r, "token_superseded", "conflict", "not_claimant");
            }
        }
        ReliabilityEventStore store = ReliabilityEventStore.read(system, "Task");
        assertThat(store.count(task, "TaskTransitionedEvent")).as("transitions stored").isEqualTo(1);
        assertThat(store.foldTask(task).phase()).isEqualTo("TDD");
        assertStoreAndQuerySideAgree(List.of(task));
    }

    /**
     * Each instance caches Task aggregates; a command decided on a stale cached state would write nothing and so evict
     * nothing (claim on A, release on B, claim on B, release on A → A answered 401 {@code not_claimant} for the
     * current claimant's valid token). The cache now checks the task's last stored sequence number before using an
     * entry (command-service {@code StoreCheckedCache}), so every release succeeds on either instance.
     */
    @Test
    void aReleaseOnOneInstanceIsSeenByAClaimOnTheOther() {
        String task = createTask("released on one, claimed on the other");
        for (int round = 0; round < 4; round++) {
            String claimOn = instances.get(round % 2);
            String releaseOn = instances.get((round + 1) % 2);
            JsonNode claimed = claim(claimOn, task, "agent-" + round);
            Http.Response released = http.post(releaseOn + "/api/v1/tasks/release").header("X-Phasegate-Identity",
                    bearerIdentity()).json(Map.of("phase_token", claimed.path("phase_token").asString())).send();
            assertThat(released.status()).as("release on the other instance, round " + round + ": " + released)
                    .isEqualTo(200);
        }
        ReliabilityEventStore store = ReliabilityEventStore.read(system, "Task");
        assertThat(store.count(task, "TaskClaimedEvent")).isEqualTo(4);
        assertThat(store.count(task, "TaskReleasedEvent")).isEqualTo(4);
        assertStoreAndQuerySideAgree(List.of(task));
    }

    // ------------------------------------------------------------------------------------------------

    /** Sequence numbers are gapless and the fold of each task's events is what the query side shows. */
    private void assertStoreAndQuerySideAgree(List<String> tasks) {
        ReliabilityEventStore store = ReliabilityEventStore.read(system, "Task");
        store.assertGaplessAndComplete("TaskCreatedEvent");
        long head = system.queryForLong("SELECT MAX(global_index) FROM eventstore.domain_event_entry");
        for (String task : tasks) {
            ReliabilityEventStore.FoldedTask folded = store.foldTask(task);
            Http.Response view = E2eSupport.await(() -> http.get(system.gatewayUrl() + "/api/v1/tasks/" + task
                            + "?min_position=" + head).bearer(system.viewerToken()).send(),
                    r -> r.status() == 200, "task " + task + " at position " + head);
            JsonNode json = view.json();
            assertThat(json.path("status").asString()).as("status of " + task).isEqualTo(folded.status());
            assertThat(json.path("phase").asString()).as("phase of " + task).isEqualTo(folded.phase());
            assertThat(json.path("claimed_by").isMissingNode() || json.path("claimed_by").isNull()
                    ? null : json.path("claimed_by").asString()).as("claimant of " + task).isEqualTo(folded.claimedBy());
            // with two writers, events commit out of global-index order: the view still records its last event's
            // own position (EventPositions), not the tracking token's higher index
            assertThat(json.path("position").asLong()).as("position of " + task).isEqualTo(folded.lastPosition());
        }
    }

    private static void assertCleanLoss(Http.Response answer, String... codes) {
        assertThat(answer.status()).as("a loser's answer: " + answer).isIn(401, 409);
        assertProblem(answer, answer.status(), null);
        assertThat(answer.json().path("code").asString()).as(answer.toString()).isIn((Object[]) codes);
    }

    private List<Http.Response> race(List<Callable<Http.Response>> calls) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(calls.size());
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Http.Response>> futures = new ArrayList<>();
            for (Callable<Http.Response> call : calls) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return call.call();
                }));
            }
            start.countDown();
            List<Http.Response> answers = new ArrayList<>();
            for (Future<Http.Response> future : futures) {
                answers.add(future.get(60, TimeUnit.SECONDS));
            }
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }

    private static String summary(List<Http.Response> answers) {
        return answers.stream().collect(Collectors.groupingBy(r -> r.status() + (r.contentType()
                .startsWith("application/problem+json") ? " " + r.json().path("code").asString() : ""),
                TreeMap::new, Collectors.counting())).toString();
    }

    private String createTask(String title) {
        Http.Response response = http.post(system.gatewayUrl() + "/api/v1/tasks").bearer(system.developerToken())
                .json(Map.of("title", title, "workflow_id", workflow)).send();
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response.json().path("task_id").asString();
    }

    private JsonNode claim(String instance, String task, String agent) {
        Http.Response response = http.post(instance + "/api/v1/tasks/claim").header("X-Phasegate-Identity",
                userIdentity()).json(Map.of("agent_id", agent, "capabilities", List.of(), "task_id", task)).send();
        assertThat(response.status()).as("claim on " + instance + ": " + response).isEqualTo(200);
        return response.json();
    }

    /** The internal identity the gateway forwards for the demo developer. */
    private String userIdentity() {
        return system.mintInternalToken("developer", PhasegateSystem.DEMO_ORG, List.of("developer"));
    }

    /** The internal identity the gateway forwards for the agent endpoints (the phase token is the credential). */
    private String bearerIdentity() {
        return system.mintInternalToken("phase-token-bearer", "-", List.of());
    }
}
