package io.phasegate.command.workflow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.tuple;

import io.phasegate.events.workflow.PhaseDefinition;
import io.phasegate.events.workflow.PhaseDefinition.OnEnter;
import io.phasegate.events.workflow.PhaseDefinition.RequestReviews;
import io.phasegate.events.workflow.TransitionDefinition;
import io.phasegate.events.workflow.WorkflowDefinition;
import io.phasegate.events.workflow.WorkflowDefinition.Enforcement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkflowDefinitionParserTest {

    /** The example of SPEC §2.1, verbatim. */
    private static final String SPEC_EXAMPLE = TestWorkflows.specExample();

    /** The same definition as {@link #SPEC_EXAMPLE}, in JSON. */
    private static final String SPEC_EXAMPLE_JSON = """
            {
              "workflow": "tdd-default",
              "version": 1,
              "enforcement": "strict",
              "token_ttl_seconds": 7200,
              "claim_lease_seconds": 900,
              "phases": [
                {"id": "PLAN", "tools": {"allowed": ["read_file", "search_code"]}},
                {"id": "TDD", "tools": {"allowed": ["read_file", "write_file", "run_tests"],
                                        "constraints": {"write_file": {"path": ["tests/**", "**/*Test.java"]}}}},
                {"id": "IMPL", "tools": {"allowed": ["read_file", "write_file", "run_tests"]}},
                {"id": "REVIEW", "tools": {"allowed": ["read_file"], "approval_required": ["deploy_preview"]},
                 "on_enter": {"request_reviews": {"count": 1, "role": "reviewer"}}},
                {"id": "COMPLETE", "terminal": true}
              ],
              "transitions": [
                {"from": "PLAN", "to": "TDD", "artifacts": ["plan"], "gates": ["plan_has_acceptance_criteria"]},
                {"from": "TDD", "to": "IMPL", "artifacts": ["tests", "test_result"], "gates": ["tests_are_failing"]},
                {"from": "IMPL", "to": "REVIEW", "artifacts": ["implementation", "test_result"],
                 "gates": ["all_tests_pass"]},
                {"from": "REVIEW", "to": "IMPL"},
                {"from": "REVIEW", "to": "COMPLETE", "artifacts": ["review"],
                 "gates": ["reviews_approved", "no_blocking_issues"]}
              ]
            }
            """;

    /** A small valid workflow relying on every default. */
    private static final String MINIMAL = """
            workflow: mini
            version: 3
            phases:
              - id: WORK
              - id: DONE
                terminal: true
            transitions:
              - { from: WORK, to: DONE }
            """;

    private final WorkflowDefinitionParser parser = new WorkflowDefinitionParser();

    @Test
    void specExampleParsesIntoTheExpectedModel() {
        WorkflowDefinition definition = parser.parse(SPEC_EXAMPLE, DocumentFormat.YAML);

        assertThat(definition.id()).isEqualTo("tdd-default");
        assertThat(definition.version()).isEqualTo(1);
        assertThat(definition.enforcement()).isEqualTo(Enforcement.STRICT);
        assertThat(definition.tokenTtlSeconds()).isEqualTo(7200);
        assertThat(definition.claimLeaseSeconds()).isEqualTo(900);
        assertThat(definition.initialPhase()).isEqualTo("PLAN");
        assertThat(definition.artifacts()).isEmpty();
        assertThat(definition.gates()).isEmpty();

        assertThat(definition.phases()).extracting(PhaseDefinition::id, PhaseDefinition::terminal).containsExactly(
                tuple("PLAN", false), tuple("TDD", false), tuple("IMPL", false), tuple("REVIEW", false),
                tuple("COMPLETE", true));

        PhaseDefinition plan = definition.phase("PLAN").orElseThrow();
        assertThat(plan.tools().allowed()).containsExactly("read_file", "search_code");
        assertThat(plan.tools().constraints()).isEmpty();
        assertThat(plan.tools().approvalRequired()).isEmpty();
        assertThat(plan.onEnter()).isNull();

        PhaseDefinition tdd = definition.phase("TDD").orElseThrow();
        assertThat(tdd.tools().allowed()).containsExactly("read_file", "write_file", "run_tests");
        assertThat(tdd.tools().constraints())
                .isEqualTo(Map.of("write_file", Map.of("path", List.of("tests/**", "**/*Test.java"))));

        PhaseDefinition review = definition.phase("REVIEW").orElseThrow();
        assertThat(review.tools().allowed()).containsExactly("read_file");
        assertThat(review.tools().approvalRequired()).containsExactly("deploy_preview");
        assertThat(review.onEnter()).isEqualTo(new OnEnter(new RequestReviews(1, "reviewer")));

        PhaseDefinition complete = definition.phase("COMPLETE").orElseThrow();
        assertThat(complete.tools()).isEqualTo(PhaseDefinition.ToolPolicy.NONE);
        assertThat(complete.onEnter()).isNull();

        assertThat(definition.transitions()).containsExactly(
                new TransitionDefinition("PLAN", "TDD", List.of("plan"), List.of("plan_has_acceptance_criteria")),
                new TransitionDefinition("TDD", "IMPL", List.of("tests", "test_result"),
                        List.of("tests_are_failing")),
                new TransitionDefinition("IMPL", "REVIEW", List.of("implementation", "test_result"),
                        List.of("all_tests_pass")),
                new TransitionDefinition("REVIEW", "IMPL", List.of(), List.of()),
                new TransitionDefinition("REVIEW", "COMPLETE", List.of("review"),
                        List.of("reviews_approved", "no_blocking_issues")));
    }

    @Test
    void defaultsAreAppliedWhenOptionalFieldsAreOmitted() {
        WorkflowDefinition definition = parser.parse(MINIMAL, DocumentFormat.YAML);

        assertThat(definition.enforcement()).isEqualTo(Enforcement.STRICT);
        assertThat(definition.tokenTtlSeconds()).isEqualTo(3600);
        assertThat(definition.claimLeaseSeconds()).isEqualTo(900);
        assertThat(definition.phases().get(0).terminal()).isFalse();
        assertThat(definition.phases().get(0).tools()).isEqualTo(PhaseDefinition.ToolPolicy.NONE);
        assertThat(definition.transitions().get(0).artifacts()).isEmpty();
        assertThat(definition.transitions().get(0).gates()).isEmpty();
    }

    @Test
    void permissiveEnforcementIsMapped() {
        WorkflowDefinition definition = parser.parse(MINIMAL + "enforcement: permissive\n", DocumentFormat.YAML);

        assertThat(definition.enforcement()).isEqualTo(Enforcement.PERMISSIVE);
    }

    @Test
    void jsonEquivalentParsesIntoTheSameModel() {
        WorkflowDefinition fromJson = parser.parse(SPEC_EXAMPLE_JSON, DocumentFormat.JSON);

        assertThat(fromJson).isEqualTo(parser.parse(SPEC_EXAMPLE, DocumentFormat.YAML));
        assertThat(fromJson.phase("TDD").orElseThrow().tools().constraints().get("write_file").get("path"))
                .containsExactly("tests/**", "**/*Test.java");
    }

    @Test
    void reportsEveryProblemWithItsPath() {
        String document = """
                workflow: Not_A_Valid_Id
                version: 0
                enforcement: lenient
                token_ttl_seconds: 10
                claim_lease_seconds: "900"
                phases:
                  - id: PLAN
                    tools:
                      allowed: [read_file, Bad-Tool]
                      constraints:
                        write_file: { path: [] }
                  - id: plan_lowercase
                    terminal: "yes"
                  - id: DONE
                    terminal: true
                transitions:
                  - { from: PLAN, to: DONE, gates: [made_up_gate] }
                """;

        List<WorkflowProblem> problems = problemsOf(document, DocumentFormat.YAML);

        assertThat(problems).extracting(WorkflowProblem::path).contains(
                "/workflow",
                "/version",
                "/enforcement",
                "/token_ttl_seconds",
                "/claim_lease_seconds",
                "/phases/0/tools/allowed/1",
                "/phases/0/tools/constraints/write_file",
                "/phases/0/tools/constraints/write_file/path",
                "/phases/1/id",
                "/phases/1/terminal",
                "/transitions/0/gates/0");
        assertThat(message(problems, "/workflow")).contains("Not_A_Valid_Id");
        assertThat(message(problems, "/version")).contains("between 1 and");
        assertThat(message(problems, "/enforcement")).contains("'strict' or 'permissive'");
        assertThat(message(problems, "/token_ttl_seconds")).contains("between 60 and 86400");
        assertThat(message(problems, "/claim_lease_seconds")).contains("expected an integer", "a string");
        assertThat(message(problems, "/phases/0/tools/allowed/1")).contains("Bad-Tool");
        assertThat(message(problems, "/phases/0/tools/constraints/write_file")).contains("not listed in");
        assertThat(message(problems, "/phases/0/tools/constraints/write_file/path"))
                .contains("at least one glob");
        assertThat(message(problems, "/phases/1/terminal")).contains("expected a boolean");
        assertThat(message(problems, "/transitions/0/gates/0")).contains("unknown gate 'made_up_gate'");
        assertThat(problems.size()).isGreaterThanOrEqualTo(11);
    }

    @Test
    void malformedYamlGivesOneProblemWithLineAndColumn() {
        String document = """
                workflow: broken
                phases: [ { id: PLAN }
                version: 1
                """;

        List<WorkflowProblem> problems = problemsOf(document, DocumentFormat.YAML);

        assertThat(problems).hasSize(1);
        WorkflowProblem problem = problems.get(0);
        assertThat(problem.path()).isEmpty();
        assertThat(problem.message()).startsWith("invalid YAML at line 3, column").doesNotContain("\n");
        assertNoInternals(problem.message());
    }

    @Test
    void malformedJsonGivesOneProblemWithLineAndColumn() {
        List<WorkflowProblem> problems = problemsOf("{\n  \"workflow\": \"x\",\n}", DocumentFormat.JSON);

        assertThat(problems).hasSize(1);
        assertThat(problems.get(0).path()).isEmpty();
        assertThat(problems.get(0).message()).startsWith("invalid JSON at line 3, column");
        assertNoInternals(problems.get(0).message());
    }

    @Test
    void duplicateKeysAreRejected() {
        List<WorkflowProblem> problems = problemsOf(MINIMAL + "version: 4\n", DocumentFormat.YAML);

        assertThat(problems).singleElement().satisfies(p -> {
            assertThat(p.path()).isEmpty();
            assertThat(p.message()).contains("Duplicate", "version");
            assertNoInternals(p.message());
        });
    }

    @Test
    void emptyOrNonMappingDocumentIsRejected() {
        assertThat(problemsOf("   \n", DocumentFormat.YAML)).containsExactly(
                new WorkflowProblem("", "the document is empty"));
        assertThat(problemsOf("# only a comment\n", DocumentFormat.YAML)).containsExactly(
                new WorkflowProblem("", "the document is empty"));
        assertThat(problemsOf("- a\n- b\n", DocumentFormat.YAML)).singleElement()
                .satisfies(p -> assertThat(p.message()).contains("must be a mapping", "a list"));
    }

    @Test
    void unknownFieldsAreReportedWhereverTheyOccur() {
        String document = MINIMAL
                .replace("version: 3", "version: 3\ndescription: nope")
                .replace("  - id: WORK", "  - id: WORK\n    timeout: 5\n    tools: { allowed: [a], denied: [b] }")
                .replace("{ from: WORK, to: DONE }", "{ from: WORK, to: DONE, when: always }");

        List<WorkflowProblem> problems = problemsOf(document, DocumentFormat.YAML);

        assertThat(problems).containsExactlyInAnyOrder(
                new WorkflowProblem("/description", "unknown field 'description'"),
                new WorkflowProblem("/phases/0/timeout", "unknown field 'timeout'"),
                new WorkflowProblem("/phases/0/tools/denied", "unknown field 'denied'"),
                new WorkflowProblem("/transitions/0/when", "unknown field 'when'"));
    }

    @Test
    void unreachablePhaseIsReported() {
        String document = """
                workflow: w
                version: 1
                phases:
                  - id: START
                  - id: ORPHAN
                  - id: DONE
                    terminal: true
                transitions:
                  - { from: START, to: DONE }
                  - { from: ORPHAN, to: DONE }
                """;

        assertThat(problemsOf(document, DocumentFormat.YAML)).containsExactly(
                new WorkflowProblem("/phases/1", "phase 'ORPHAN' is not reachable from the initial phase 'START'"));
    }

    @Test
    void transitionToUnknownPhaseIsReported() {
        String document = MINIMAL + "  - { from: WORK, to: DONEE }\n";

        assertThat(problemsOf(document, DocumentFormat.YAML)).containsExactly(
                new WorkflowProblem("/transitions/1/to", "unknown phase 'DONEE': not declared under phases"));
    }

    @Test
    void unknownGateAndUnknownArtifactAreReported() {
        String document = MINIMAL.replace("{ from: WORK, to: DONE }",
                "{ from: WORK, to: DONE, artifacts: [plan, design_doc], gates: [all_tests_pass, looks_good] }");

        List<WorkflowProblem> problems = problemsOf(document, DocumentFormat.YAML);

        assertThat(problems).extracting(WorkflowProblem::path)
                .containsExactly("/transitions/0/artifacts/1", "/transitions/0/gates/1");
        assertThat(problems.get(0).message()).startsWith("unknown artifact 'design_doc'");
        assertThat(problems.get(1).message()).startsWith("unknown gate 'looks_good'");
    }

    @Test
    void customGateAndCustomArtifactAreAccepted() {
        String document = MINIMAL.replace("{ from: WORK, to: DONE }",
                "{ from: WORK, to: DONE, artifacts: [design_doc, plan], gates: [design_approved, all_tests_pass] }")
                + """
                artifacts:
                  design_doc:
                    type: object
                    required: [title, decisions]
                    properties:
                      title: { type: string }
                      decisions: { type: array, items: { type: string }, minItems: 1 }
                gates:
                  design_approved: "size(artifacts.design_doc.decisions) > 0"
                """;

        WorkflowDefinition definition = parser.parse(document, DocumentFormat.YAML);

        assertThat(definition.transitions().get(0).artifacts()).containsExactly("design_doc", "plan");
        assertThat(definition.transitions().get(0).gates()).containsExactly("design_approved", "all_tests_pass");
        assertThat(definition.gates()).containsExactly(
                Map.entry("design_approved", "size(artifacts.design_doc.decisions) > 0"));
        Map<String, Object> schema = definition.artifacts().get("design_doc");
        assertThat(schema).containsEntry("type", "object").containsEntry("required", List.of("title", "decisions"));
        assertThat(schema.get("properties")).isEqualTo(Map.of(
                "title", Map.of("type", "string"),
                "decisions", Map.of("type", "array", "items", Map.of("type", "string"), "minItems", 1)));
    }

    @Test
    void customGatesAndArtifactsAreValidated() {
        String document = MINIMAL + """
                artifacts:
                  plan: { type: object }
                  notes: "just a string"
                gates:
                  all_tests_pass: "true"
                  Bad-Gate: "true"
                  empty_gate: "   "
                  numeric_gate: 42
                """;

        List<WorkflowProblem> problems = problemsOf(document, DocumentFormat.YAML);

        assertThat(problems).extracting(WorkflowProblem::path).containsExactly(
                "/artifacts/plan", "/artifacts/notes", "/gates/all_tests_pass", "/gates/Bad-Gate",
                "/gates/empty_gate", "/gates/numeric_gate");
        assertThat(message(problems, "/artifacts/plan")).contains("built in");
        assertThat(message(problems, "/artifacts/notes")).contains("expected a JSON Schema object");
        assertThat(message(problems, "/gates/all_tests_pass")).contains("built in");
        assertThat(message(problems, "/gates/empty_gate")).contains("must not be blank");
        assertThat(message(problems, "/gates/numeric_gate")).contains("expected a string", "an integer");
    }

    @Test
    void oversizedDocumentIsRejected() {
        String padding = "# " + "x".repeat(100) + "\n";
        String document = MINIMAL + padding.repeat(2600);
        assertThat(document.length()).isGreaterThan(256 * 1024);

        assertThat(problemsOf(document, DocumentFormat.YAML)).singleElement().satisfies(p -> {
            assertThat(p.path()).isEmpty();
            assertThat(p.message()).contains("too large", "256 KiB");
        });
        assertThat(problemsOf(document, DocumentFormat.JSON)).singleElement()
                .satisfies(p -> assertThat(p.message()).contains("too large"));
    }

    @Test
    void yamlAnchorsAndAliasesAreRejected() {
        String bomb = """
                a: &a ["lol", "lol", "lol"]
                b: &b [*a, *a, *a]
                c: &c [*b, *b, *b]
                """;

        assertThat(problemsOf(bomb, DocumentFormat.YAML)).singleElement().satisfies(p -> {
            assertThat(p.path()).isEmpty();
            assertThat(p.message()).contains("anchors and aliases", "line 1");
        });
    }

    @Test
    void deeplyNestedDocumentIsRejected() {
        String deep = "{\"workflow\": " + "[".repeat(100) + "]".repeat(100) + "}";

        assertThat(problemsOf(deep, DocumentFormat.JSON)).singleElement().satisfies(p -> {
            assertThat(p.path()).isEmpty();
            assertThat(p.message()).contains("nested too deeply");
            assertNoInternals(p.message());
        });
        assertThat(problemsOf(deep, DocumentFormat.YAML)).singleElement()
                .satisfies(p -> assertThat(p.message()).contains("nested too deeply"));
    }

    @Test
    void multipleYamlDocumentsAreRejected() {
        assertThat(problemsOf(MINIMAL + "---\nworkflow: other\n", DocumentFormat.YAML)).singleElement()
                .satisfies(p -> assertThat(p.message()).contains("single YAML document"));
    }

    @Test
    void wrongTypesNameTheExpectedType() {
        String document = """
                workflow: 12
                version: 1.5
                phases: { id: PLAN }
                transitions: none
                gates: [a]
                artifacts: 3
                """;

        List<WorkflowProblem> problems = problemsOf(document, DocumentFormat.YAML);

        assertThat(problems).containsExactly(
                new WorkflowProblem("/workflow", "expected a string, but got an integer"),
                new WorkflowProblem("/version", "expected an integer, but got a decimal number"),
                new WorkflowProblem("/artifacts",
                        "expected a mapping of artifact name to JSON Schema, but got an integer"),
                new WorkflowProblem("/gates", "expected a mapping of gate id to expression, but got a list"),
                new WorkflowProblem("/phases", "expected a list of phases, but got a mapping"),
                new WorkflowProblem("/transitions", "expected a list of transitions, but got a string"));
    }

    @Test
    void requiredFieldsAreReported() {
        String document = """
                phases:
                  - terminal: true
                transitions:
                  - { to: X }
                  - { from: X, to: Y, on_enter: {} }
                """;

        List<WorkflowProblem> problems = problemsOf(document, DocumentFormat.YAML);

        assertThat(problems).extracting(WorkflowProblem::path).contains(
                "/workflow", "/version", "/phases/0/id", "/transitions/0/from", "/transitions/1/on_enter");
        assertThat(message(problems, "/workflow")).isEqualTo("required field 'workflow' is missing");
        assertThat(message(problems, "/phases/0/id")).isEqualTo("required field 'id' is missing");
        assertThat(problemsOf("workflow: w\nversion: 1\nphases: []\n", DocumentFormat.YAML))
                .contains(new WorkflowProblem("/phases", "at least one phase is required"));
    }

    @Test
    void terminalPhaseRulesAreEnforced() {
        String document = """
                workflow: w
                version: 1
                phases:
                  - id: START
                    terminal: true
                  - id: MIDDLE
                  - id: DONE
                    terminal: true
                    tools: { allowed: [read_file] }
                transitions:
                  - { from: START, to: MIDDLE }
                  - { from: DONE, to: MIDDLE }
                """;

        assertThat(problemsOf(document, DocumentFormat.YAML)).containsExactly(
                new WorkflowProblem("/phases/2/tools", "a terminal phase must not declare tools"),
                new WorkflowProblem("/phases/0/terminal",
                        "the first phase is the initial phase of every task and must not be terminal"),
                new WorkflowProblem("/transitions/0/from",
                        "phase 'START' is terminal and must not have outgoing transitions"),
                new WorkflowProblem("/transitions/1/from",
                        "phase 'DONE' is terminal and must not have outgoing transitions"),
                new WorkflowProblem("/phases/1", "phase 'MIDDLE' is not terminal but has no outgoing transition"),
                new WorkflowProblem("/phases/2", "phase 'DONE' is not reachable from the initial phase 'START'"));
    }

    @Test
    void workflowWithoutTerminalPhaseIsRejected() {
        String document = MINIMAL.replace("    terminal: true\n", "");

        assertThat(problemsOf(document, DocumentFormat.YAML)).containsExactly(
                new WorkflowProblem("/phases", "at least one phase must be terminal (terminal: true)"),
                new WorkflowProblem("/phases/1", "phase 'DONE' is not terminal but has no outgoing transition"));
    }

    @Test
    void duplicatePhasesAndTransitionsAndSelfLoopsAreRejected() {
        String document = """
                workflow: w
                version: 1
                phases:
                  - id: WORK
                  - id: WORK
                  - id: DONE
                    terminal: true
                transitions:
                  - { from: WORK, to: DONE }
                  - { from: WORK, to: DONE }
                  - { from: WORK, to: WORK }
                """;

        assertThat(problemsOf(document, DocumentFormat.YAML)).containsExactly(
                new WorkflowProblem("/phases/1/id", "duplicate phase id 'WORK' (already declared at /phases/0)"),
                new WorkflowProblem("/transitions/1",
                        "duplicate transition 'WORK' -> 'DONE' (already declared at /transitions/0)"),
                new WorkflowProblem("/transitions/2/to",
                        "a transition must lead to a different phase (from and to are both 'WORK')"));
    }

    @Test
    void toolPolicyRulesAreEnforced() {
        String document = MINIMAL.replace("  - id: WORK\n", """
                  - id: WORK
                    tools:
                      allowed: [read_file, read_file, write_file]
                      approval_required: [deploy, write_file]
                      constraints:
                        deploy: { env: [staging] }
                        write_file: { path: "src/**", mode: [ "" ] }
                    on_enter:
                      request_reviews: { count: 0, role: " " }
                """);

        List<WorkflowProblem> problems = problemsOf(document, DocumentFormat.YAML);

        assertThat(problems).extracting(WorkflowProblem::path).containsExactly(
                "/phases/0/tools/allowed/1",
                "/phases/0/tools/constraints/deploy",
                "/phases/0/tools/constraints/write_file/path",
                "/phases/0/tools/constraints/write_file/mode/0",
                "/phases/0/on_enter/request_reviews/count",
                "/phases/0/on_enter/request_reviews/role");
        assertThat(message(problems, "/phases/0/tools/allowed/1")).contains("duplicate tool name 'read_file'");
        assertThat(message(problems, "/phases/0/tools/constraints/write_file/path"))
                .isEqualTo("expected a list of glob patterns, but got a string");
    }

    @Test
    void approvalRequiredToolsNeedNotBeListedAsAllowed() {
        String document = MINIMAL.replace("  - id: WORK\n", """
                  - id: WORK
                    tools:
                      allowed: [read_file, deploy_preview]
                      approval_required: [deploy_preview, publish]
                """);

        PhaseDefinition work = parser.parse(document, DocumentFormat.YAML).phase("WORK").orElseThrow();

        assertThat(work.tools().allowed()).containsExactly("read_file", "deploy_preview");
        assertThat(work.tools().approvalRequired()).containsExactly("deploy_preview", "publish");
    }

    @Test
    void jsonPointerSegmentsAreEscaped() {
        String document = MINIMAL.replace("  - id: WORK\n", """
                  - id: WORK
                    tools:
                      allowed: [write_file]
                      constraints:
                        write_file: { "a/b~c": [] }
                """);

        assertThat(problemsOf(document, DocumentFormat.YAML)).containsExactly(
                new WorkflowProblem("/phases/0/tools/constraints/write_file/a~1b~0c",
                        "at least one glob pattern is required"));
    }

    @Test
    void exceptionMessageListsEveryProblem() {
        try {
            parser.parse("workflow: w\nversion: 0\nphases: []\n", DocumentFormat.YAML);
            fail("expected the workflow to be rejected");
        } catch (InvalidWorkflowException e) {
            assertThat(e.problems()).hasSize(2);
            assertThat(e.getMessage()).contains("2 problems", "/version", "/phases");
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private List<WorkflowProblem> problemsOf(String document, DocumentFormat format) {
        try {
            WorkflowDefinition definition = parser.parse(document, format);
            throw new AssertionError("expected the document to be rejected, but it parsed into " + definition);
        } catch (InvalidWorkflowException e) {
            assertThat(e.problems()).isNotEmpty();
            return e.problems();
        }
    }

    private static String message(List<WorkflowProblem> problems, String path) {
        return problems.stream().filter(p -> p.path().equals(path)).map(WorkflowProblem::message).findFirst()
                .orElseThrow(() -> new AssertionError("no problem at " + path + " in " + problems));
    }

    private static void assertNoInternals(String message) {
        assertThat(message).doesNotContain("Exception", "tools.jackson", "snakeyaml", "java.", "\tat ", "Source:",
                "StreamReadConstraints", "REDACTED");
    }
}
