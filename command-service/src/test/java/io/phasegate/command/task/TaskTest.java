package io.phasegate.command.task;

import static io.phasegate.command.Rejections.rejection;
import static org.assertj.core.api.Assertions.assertThat;

import io.phasegate.events.task.CreateTaskCommand;
import io.phasegate.events.task.TaskCreatedEvent;
import io.phasegate.events.workflow.PhaseDefinition;
import io.phasegate.events.workflow.TransitionDefinition;
import io.phasegate.events.workflow.WorkflowDefinition;
import io.phasegate.events.workflow.WorkflowDefinition.Enforcement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TaskTest {

    private static final String ORG = "org-acme";
    private static final String OTHER_ORG = "org-other";
    private static final String TASK = "task-new";
    private static final String WORKFLOW = "tdd-default";
    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

    /** Version 1 starts in PLAN, version 2 in DESIGN: the phase shows which version the task got. */
    private static final WorkflowDefinition V1 = workflow(WORKFLOW, 1, "PLAN", "TDD", "COMPLETE");
    private static final WorkflowDefinition V2 = workflow(WORKFLOW, 2, "DESIGN", "TDD", "COMPLETE");

    private AggregateTestFixture<Task> fixture;
    private InMemoryWorkflowCatalog workflows;
    private InMemoryTaskDirectory tasks;

    @BeforeEach
    void setUp() {
        workflows = new InMemoryWorkflowCatalog().publish(ORG, V1).publish(ORG, V2)
                .publish(OTHER_ORG, workflow("other-only", 1, "START", "DONE"));
        tasks = new InMemoryTaskDirectory()
                .add(ORG, "task-a", "task-b", "task-c")
                .add(OTHER_ORG, "task-foreign");
        fixture = new AggregateTestFixture<>(Task.class);
        fixture.registerInjectableResource(workflows);
        fixture.registerInjectableResource(tasks);
    }

    @Test
    void createsTheTaskInTheInitialPhaseOfTheLatestVersion() {
        fixture.givenCurrentTime(NOW)
                .when(create(null, List.of("task-a"), List.of("java")))
                .expectSuccessfulHandlerExecution()
                .expectEvents(created(2, "DESIGN", List.of("task-a"), List.of("java"), NOW))
                .expectState(task -> assertThat(task.orgId()).isEqualTo(ORG));
        assertThat(fixture.currentTime()).isEqualTo(NOW);
    }

    @Test
    void createsTheTaskOnTheRequestedVersion() {
        Instant later = NOW.plusSeconds(90);

        fixture.givenCurrentTime(later)
                .when(create(1, List.of(), List.of()))
                .expectSuccessfulHandlerExecution()
                .expectEvents(created(1, "PLAN", List.of(), List.of(), later));
        assertThat(fixture.currentTime()).isEqualTo(later);
    }

    @Test
    void deDuplicatesDependenciesInOrderAndCapabilities() {
        fixture.givenCurrentTime(NOW)
                .when(create(2, List.of("task-b", "task-a", "task-b", "task-c", "task-a"),
                        List.of("java", "postgres", "java", "docker", "postgres")))
                .expectSuccessfulHandlerExecution()
                .expectEvents(created(2, "DESIGN", List.of("task-b", "task-a", "task-c"),
                        List.of("java", "postgres", "docker"), NOW));
    }

    @Test
    void anUnpublishedWorkflowIsRejected() {
        fixture.givenNoPriorActivity()
                .when(command("not-published", null, List.of()))
                .expectNoEvents()
                .expectException(CommandExecutionException.class)
                .expectExceptionDetails(rejection("unknown_workflow", 422, Map.of()));
    }

    @Test
    void anotherOrganisationsWorkflowIsRejected() {
        fixture.givenNoPriorActivity()
                .when(command("other-only", null, List.of()))
                .expectNoEvents()
                .expectException(CommandExecutionException.class)
                .expectExceptionDetails(rejection("unknown_workflow", 422, Map.of()));
    }

    @Test
    void anUnknownVersionIsRejected() {
        fixture.givenNoPriorActivity()
                .when(create(3, List.of(), List.of()))
                .expectNoEvents()
                .expectException(CommandExecutionException.class)
                .expectExceptionDetails(rejection("unknown_workflow", 422, Map.of()));
    }

    @Test
    void aDependencyThatDoesNotExistIsRejected() {
        fixture.givenNoPriorActivity()
                .when(create(null, List.of("task-a", "task-missing"), List.of()))
                .expectNoEvents()
                .expectException(CommandExecutionException.class)
                .expectExceptionDetails(rejection("unknown_dependency", 422,
                        Map.of("unknown_dependencies", List.of("task-missing"))));
    }

    @Test
    void aDependencyOfAnotherOrganisationIsRejected() {
        fixture.givenNoPriorActivity()
                .when(create(null, List.of("task-foreign", "task-a"), List.of()))
                .expectNoEvents()
                .expectException(CommandExecutionException.class)
                .expectExceptionDetails(rejection("unknown_dependency", 422,
                        Map.of("unknown_dependencies", List.of("task-foreign"))));
    }

    @Test
    void aTaskCannotDependOnItself() {
        // even when the directory knows the id in the same organisation, a self-dependency is refused
        tasks.add(ORG, TASK);

        fixture.givenNoPriorActivity()
                .when(create(null, List.of("task-a", TASK), List.of()))
                .expectNoEvents()
                .expectException(CommandExecutionException.class)
                .expectExceptionDetails(rejection("unknown_dependency", 422,
                        Map.of("unknown_dependencies", List.of(TASK))));
    }

    @Test
    void allUnknownDependenciesAreListedOnceInOrder() {
        fixture.givenNoPriorActivity()
                .when(create(null, List.of("task-missing", "task-a", "task-foreign", TASK, "task-missing"), List.of()))
                .expectNoEvents()
                .expectException(CommandExecutionException.class)
                .expectExceptionDetails(rejection("unknown_dependency", 422,
                        Map.of("unknown_dependencies", List.of("task-missing", "task-foreign", TASK))));
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    private static CreateTaskCommand create(Integer version, List<String> dependsOn, List<String> capabilities) {
        return new CreateTaskCommand(TASK, ORG, "project-billing", "Add invoice export", "CSV export",
                WORKFLOW, version, dependsOn, capabilities, 5, "user-ada");
    }

    private static CreateTaskCommand command(String workflowId, Integer version, List<String> dependsOn) {
        return new CreateTaskCommand(TASK, ORG, "project-billing", "Add invoice export", "CSV export",
                workflowId, version, dependsOn, List.of(), 5, "user-ada");
    }

    private static TaskCreatedEvent created(int version, String phase, List<String> dependsOn,
                                            List<String> capabilities, Instant at) {
        return new TaskCreatedEvent(TASK, ORG, "project-billing", "Add invoice export", "CSV export", WORKFLOW,
                version, phase, dependsOn, capabilities, 5, "user-ada", at);
    }

    /** A linear workflow through the given phases; the last one is terminal. */
    static WorkflowDefinition workflow(String id, int version, String... phases) {
        List<PhaseDefinition> phaseList = new java.util.ArrayList<>();
        List<TransitionDefinition> transitions = new java.util.ArrayList<>();
        for (int i = 0; i < phases.length; i++) {
            boolean last = i == phases.length - 1;
            phaseList.add(new PhaseDefinition(phases[i], last,
                    last ? null : new PhaseDefinition.ToolPolicy(List.of("read_file"), Map.of(), List.of()), null));
            if (!last) {
                transitions.add(new TransitionDefinition(phases[i], phases[i + 1], List.of(), List.of()));
            }
        }
        return new WorkflowDefinition(id, version, Enforcement.PERMISSIVE, 3600, 600, phaseList, transitions,
                Map.of(), Map.of());
    }
}
