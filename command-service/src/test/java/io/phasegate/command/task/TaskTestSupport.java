package io.phasegate.command.task;

import io.phasegate.command.gate.ArtifactValidator;
import io.phasegate.command.gate.GateEvaluator;
import io.phasegate.command.token.PhaseTokenIssuer;
import io.phasegate.command.token.PhaseTokenKeys;
import io.phasegate.command.tool.ToolPolicyEvaluator;
import io.phasegate.command.workflow.DocumentFormat;
import io.phasegate.command.workflow.TestWorkflows;
import io.phasegate.command.workflow.WorkflowDefinitionParser;
import io.phasegate.events.task.ClaimTaskCommand;
import io.phasegate.events.task.ReviewsRequestedEvent;
import io.phasegate.events.task.TaskClaimedEvent;
import io.phasegate.events.task.TaskCreatedEvent;
import io.phasegate.events.task.TaskTransitionedEvent;
import io.phasegate.events.task.TransitionTaskCommand;
import io.phasegate.events.workflow.WorkflowDefinition;
import io.phasegate.platform.phasetoken.PhaseTokenVerifier;
import io.phasegate.platform.phasetoken.VerifiedPhaseToken;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.hamcrest.Description;
import org.hamcrest.Matcher;
import org.hamcrest.TypeSafeMatcher;

/**
 * The SPEC §2.1 workflow (strict, and a permissive copy), a fixture with every resource the task's handlers take,
 * given events that put a task in a phase, sample artifacts, and matchers for events and results with random ids.
 */
final class TaskTestSupport {

    static final String ORG = "org-acme";
    static final String TASK = "task-1";
    static final String AGENT = "agent-7";
    static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    static final String ISSUER = "test-issuer";
    static final String AUDIENCE = "test-agents";

    private static final WorkflowDefinitionParser PARSER = new WorkflowDefinitionParser();
    /** SPEC §2.1 verbatim: strict, token_ttl_seconds 7200, claim_lease_seconds 900. */
    static final WorkflowDefinition STRICT = PARSER.parse(TestWorkflows.specExample(), DocumentFormat.YAML);
    /** The same workflow with {@code enforcement: permissive}. */
    static final WorkflowDefinition PERMISSIVE = PARSER.parse(TestWorkflows.specExample()
            .replace("workflow: tdd-default", "workflow: tdd-permissive")
            .replace("enforcement: strict", "enforcement: permissive"), DocumentFormat.YAML);
    static final Duration TTL = Duration.ofSeconds(7200);
    static final Duration LEASE = Duration.ofSeconds(900);

    /** The fixture moves GenericEventMessage.clock; the token issuer reads the same clock. */
    static final Clock FIXTURE_CLOCK = new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return GenericEventMessage.clock.instant();
        }
    };

    private static final ArtifactValidator ARTIFACT_VALIDATOR = new ArtifactValidator();
    private static final GateEvaluator GATE_EVALUATOR = new GateEvaluator();

    final AggregateTestFixture<Task> fixture;
    final PhaseTokenKeys keys;

    TaskTestSupport() {
        keys = PhaseTokenKeys.inMemory(FIXTURE_CLOCK);
        fixture = new AggregateTestFixture<>(Task.class);
        fixture.registerInjectableResource(new InMemoryWorkflowCatalog().publish(ORG, STRICT).publish(ORG, PERMISSIVE));
        fixture.registerInjectableResource(new InMemoryTaskDirectory());
        fixture.registerInjectableResource(new PhaseTokenIssuer(keys, ISSUER, AUDIENCE, FIXTURE_CLOCK));
        fixture.registerInjectableResource(ARTIFACT_VALIDATOR);
        fixture.registerInjectableResource(GATE_EVALUATOR);
        fixture.registerInjectableResource(new ToolPolicyEvaluator());
    }

    VerifiedPhaseToken verify(String token, Instant at) {
        return new PhaseTokenVerifier(keys, ISSUER, AUDIENCE, Clock.fixed(at, ZoneId.of("UTC"))).verify(token);
    }

    // --------------------------------------------------------------------------------------------- given events

    static TaskCreatedEvent created(WorkflowDefinition workflow) {
        return new TaskCreatedEvent(TASK, ORG, "default", "A task", null, workflow.id(), workflow.version(),
                workflow.initialPhase(), List.of(), List.of(), 0, "alice", NOW);
    }

    static TaskClaimedEvent claimed(String phase, long generation) {
        return new TaskClaimedEvent(TASK, ORG, AGENT, phase, generation, "jti-" + generation, NOW.plus(TTL),
                NOW.plus(LEASE), NOW);
    }

    static TaskTransitionedEvent transitioned(WorkflowDefinition workflow, String from, String to, long generation) {
        return new TaskTransitionedEvent(TASK, ORG, AGENT, workflow.id(), workflow.version(), from, to, Map.of(),
                List.of(), generation, "jti-" + generation, NOW.plus(TTL), NOW);
    }

    static ReviewsRequestedEvent reviewsRequested(int round) {
        return new ReviewsRequestedEvent(TASK, ORG, "REVIEW", round, 1, "reviewer", NOW);
    }

    /** Created in the strict workflow, claimed by {@link #AGENT} (generation 1) and moved to {@code phase}. */
    static List<Object> inPhase(String phase) {
        return inPhase(STRICT, phase);
    }

    /**
     * Created, claimed (generation 1) and moved along PLAN → TDD → IMPL → REVIEW up to {@code phase}; each transition
     * bumps the generation, so the current generation is {@link #generationIn(String)}.
     */
    static List<Object> inPhase(WorkflowDefinition workflow, String phase) {
        List<Object> events = new ArrayList<>(List.of(created(workflow), claimed("PLAN", 1)));
        List<String> path = List.of("PLAN", "TDD", "IMPL", "REVIEW");
        for (int i = 1; i <= path.indexOf(phase); i++) {
            events.add(transitioned(workflow, path.get(i - 1), path.get(i), i + 1));
            if (path.get(i).equals("REVIEW")) {
                events.add(reviewsRequested(1));
            }
        }
        return events;
    }

    static long generationIn(String phase) {
        return List.of("PLAN", "TDD", "IMPL", "REVIEW").indexOf(phase) + 1;
    }

    static ClaimTaskCommand claim() {
        return new ClaimTaskCommand(TASK, ORG, AGENT, List.of(), List.of());
    }

    static TransitionTaskCommand transition(long generation, String from, String to, Map<String, Object> artifacts) {
        return new TransitionTaskCommand(TASK, AGENT, generation, from, from, to, artifacts);
    }

    // ----------------------------------------------------------------------------------------------- artifacts

    static Map<String, Object> plan(String... criteria) {
        return Map.of("summary", "Add CSV export", "acceptance_criteria", List.of(criteria));
    }

    static Map<String, Object> tests() {
        return Map.of("files", List.of("tests/ExportTest.java"));
    }

    static Map<String, Object> testResult(Object passed, Object failed) {
        return Map.of("passed", passed, "failed", failed);
    }

    static Map<String, Object> implementation() {
        return Map.of("summary", "CSV export", "files", List.of("src/Export.java"));
    }

    static Map<String, Object> review(String verdict, String... blockingIssues) {
        return Map.of("verdict", verdict, "blocking_issues",
                Arrays.stream(blockingIssues).map(message -> Map.of("message", message)).toList());
    }

    // ------------------------------------------------------------------------------------------------ matchers

    /** One expected event: its payload type and a check of its fields. */
    record Expected<T>(Class<T> type, Predicate<T> check, String description) {
        boolean matches(Object payload) {
            return type.isInstance(payload) && check.test(type.cast(payload));
        }
    }

    static <T> Expected<T> event(Class<T> type, String description, Predicate<T> check) {
        return new Expected<>(type, check, description);
    }

    static <T> Expected<T> event(T expected) {
        @SuppressWarnings("unchecked")
        Class<T> type = (Class<T>) expected.getClass();
        return new Expected<>(type, expected::equals, expected.toString());
    }

    /** Exactly these events, in this order. */
    static Matcher<List<EventMessage<?>>> exactly(Expected<?>... expected) {
        return new TypeSafeMatcher<>() {
            @Override
            protected boolean matchesSafely(List<EventMessage<?>> events) {
                if (events.size() != expected.length) {
                    return false;
                }
                for (int i = 0; i < expected.length; i++) {
                    if (!expected[i].matches(events.get(i).getPayload())) {
                        return false;
                    }
                }
                return true;
            }

            @Override
            public void describeTo(Description description) {
                description.appendText("exactly these events: ");
                for (Expected<?> e : expected) {
                    description.appendText("\n  ").appendText(e.type().getSimpleName()).appendText(" ")
                            .appendText(e.description());
                }
            }
        };
    }

    /** Matches a result payload of the type that passes the check, and keeps it. */
    static <T> Matcher<Object> result(Class<T> type, AtomicReference<T> into, Predicate<T> check) {
        return new TypeSafeMatcher<>() {
            @Override
            protected boolean matchesSafely(Object payload) {
                if (type.isInstance(payload) && check.test(type.cast(payload))) {
                    into.set(type.cast(payload));
                    return true;
                }
                return false;
            }

            @Override
            public void describeTo(Description description) {
                description.appendText("a matching ").appendText(type.getSimpleName());
            }
        };
    }

    static <T> Matcher<Object> result(Class<T> type, Predicate<T> check) {
        return result(type, new AtomicReference<>(), check);
    }

    /** The events followed by more. */
    static List<Object> given(List<Object> events, Object... more) {
        List<Object> all = new ArrayList<>(events);
        all.addAll(List.of(more));
        return all;
    }
}
