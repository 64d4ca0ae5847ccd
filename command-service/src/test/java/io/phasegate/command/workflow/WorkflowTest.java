package io.phasegate.command.workflow;

import static io.phasegate.command.Rejections.rejection;
import static org.assertj.core.api.Assertions.assertThat;

import io.phasegate.events.workflow.PhaseDefinition;
import io.phasegate.events.workflow.PhaseDefinition.OnEnter;
import io.phasegate.events.workflow.PhaseDefinition.RequestReviews;
import io.phasegate.events.workflow.PhaseDefinition.ToolPolicy;
import io.phasegate.events.workflow.PublishWorkflowCommand;
import io.phasegate.events.workflow.TransitionDefinition;
import io.phasegate.events.workflow.WorkflowDefinition;
import io.phasegate.events.workflow.WorkflowDefinition.Enforcement;
import io.phasegate.events.workflow.WorkflowKeys;
import io.phasegate.events.workflow.WorkflowPublishedEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WorkflowTest {

    private static final String ORG = "org-acme";
    private static final String WORKFLOW = "tdd-default";
    private static final String KEY = WorkflowKeys.of(ORG, WORKFLOW);
    private static final Instant PUBLISHED_AT = Instant.parse("2025-06-01T12:00:00Z");

    private AggregateTestFixture<Workflow> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(Workflow.class);
    }

    @Test
    void firstPublicationPublishesTheDefinition() {
        WorkflowDefinition v1 = definition(1);

        fixture.givenCurrentTime(PUBLISHED_AT)
                .when(publish(v1, "user-ada"))
                .expectSuccessfulHandlerExecution()
                .expectEvents(new WorkflowPublishedEvent(KEY, ORG, WORKFLOW, 1, v1, source(1), "user-ada",
                        PUBLISHED_AT))
                .expectState(workflow -> {
                    assertThat(workflow.orgId()).isEqualTo(ORG);
                    assertThat(workflow.definition(null)).contains(v1);
                    assertThat(workflow.definition(1)).contains(v1);
                });
        assertThat(fixture.currentTime()).isEqualTo(PUBLISHED_AT);
    }

    @Test
    void aHigherVersionIsPublishedAfterTheFirst() {
        WorkflowDefinition v1 = definition(1);
        WorkflowDefinition v3 = definition(3);
        Instant later = PUBLISHED_AT.plusSeconds(3600);

        fixture.given(published(v1, PUBLISHED_AT))
                .andGivenCurrentTime(later)
                .when(publish(v3, "user-bob"))
                .expectSuccessfulHandlerExecution()
                .expectEvents(new WorkflowPublishedEvent(KEY, ORG, WORKFLOW, 3, v3, source(3), "user-bob", later))
                .expectState(workflow -> {
                    assertThat(workflow.definition(null)).as("latest").contains(v3);
                    assertThat(workflow.definition(1)).as("earlier versions are kept").contains(v1);
                    assertThat(workflow.definition(2)).isEmpty();
                });
        assertThat(fixture.currentTime()).isEqualTo(later);
    }

    @ParameterizedTest(name = "version {0} after 1 and 2")
    @ValueSource(ints = {2, 1, 0})
    void aVersionThatIsNotHigherIsRejected(int version) {
        fixture.given(published(definition(1), PUBLISHED_AT), published(definition(2), PUBLISHED_AT.plusSeconds(60)))
                .when(publish(definition(version), "user-ada"))
                .expectNoEvents()
                .expectException(CommandExecutionException.class)
                .expectExceptionDetails(rejection("workflow_version_not_higher", 409, Map.of("current_version", 2)));
    }

    @Test
    void anotherOrganisationCannotPublishUnderTheKey() {
        fixture.given(published(definition(1), PUBLISHED_AT))
                .when(new PublishWorkflowCommand(KEY, "org-other", definition(2), source(2), "mallory"))
                .expectNoEvents()
                .expectException(CommandExecutionException.class)
                .expectExceptionDetails(rejection("workflow_key_mismatch", 400, Map.of()));
    }

    @Test
    void aKeyThatDoesNotNameTheDefinitionsWorkflowIsRejected() {
        fixture.givenNoPriorActivity()
                .when(new PublishWorkflowCommand(WorkflowKeys.of(ORG, "another-workflow"), ORG, definition(1), source(1),
                        "alice"))
                .expectNoEvents()
                .expectException(CommandExecutionException.class)
                .expectExceptionDetails(rejection("workflow_key_mismatch", 400, Map.of()));
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    private static PublishWorkflowCommand publish(WorkflowDefinition definition, String by) {
        return new PublishWorkflowCommand(KEY, ORG, definition, source(definition.version()), by);
    }

    private static WorkflowPublishedEvent published(WorkflowDefinition definition, Instant at) {
        return new WorkflowPublishedEvent(KEY, ORG, WORKFLOW, definition.version(), definition,
                source(definition.version()), "user-ada", at);
    }

    private static String source(int version) {
        return "workflow: " + WORKFLOW + "\nversion: " + version + "\n";
    }

    /** PLAN → TDD → REVIEW → COMPLETE, with tool policies, a review request and a custom gate. */
    static WorkflowDefinition definition(int version) {
        return new WorkflowDefinition(WORKFLOW, version, Enforcement.STRICT, 7200, 900,
                List.of(phase("PLAN", "read_file", "search_code"),
                        phase("TDD", "read_file", "write_file"),
                        reviewPhase("REVIEW", 1, "reviewer"),
                        terminal("COMPLETE")),
                List.of(transition("PLAN", "TDD", List.of("plan"), List.of("plan_has_acceptance_criteria")),
                        transition("TDD", "REVIEW", List.of("tests"), List.of("tests_are_failing")),
                        transition("REVIEW", "COMPLETE", List.of("review"), List.of("reviews_approved"))),
                Map.of("plan", Map.of("type", "object")),
                Map.of("plan_has_acceptance_criteria", "size(plan.acceptance_criteria) > 0"));
    }

    static PhaseDefinition phase(String id, String... allowedTools) {
        return new PhaseDefinition(id, false, new ToolPolicy(List.of(allowedTools), Map.of(), List.of()), null);
    }

    static PhaseDefinition reviewPhase(String id, int reviews, String role) {
        return new PhaseDefinition(id, false, new ToolPolicy(List.of("read_file"), Map.of(), List.of("deploy_preview")),
                new OnEnter(new RequestReviews(reviews, role)));
    }

    static PhaseDefinition terminal(String id) {
        return new PhaseDefinition(id, true, null, null);
    }

    static TransitionDefinition transition(String from, String to, List<String> artifacts, List<String> gates) {
        return new TransitionDefinition(from, to, artifacts, gates);
    }
}
