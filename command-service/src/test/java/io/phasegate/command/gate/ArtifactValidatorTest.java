package io.phasegate.command.gate;

import static io.phasegate.command.gate.GateTestData.json;
import static io.phasegate.command.gate.GateTestData.jsonMap;
import static io.phasegate.command.gate.GateTestData.workflow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.phasegate.command.workflow.WorkflowDefinitionParser;
import io.phasegate.events.workflow.TransitionDefinition;
import io.phasegate.events.workflow.WorkflowDefinition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

class ArtifactValidatorTest {

    private static final ArtifactValidator VALIDATOR = new ArtifactValidator();

    private static final Map<String, Object> BENCHMARK_SCHEMA = jsonMap("""
            {
              "type": "object",
              "required": ["ops_per_sec", "machine"],
              "properties": {
                "ops_per_sec": { "type": "number", "exclusiveMinimum": 0 },
                "machine": { "type": "string", "pattern": "^[a-z0-9-]+$" }
              }
            }""");

    private static final WorkflowDefinition BENCH_WORKFLOW = workflow("bench", 3, List.of(),
            Map.of("benchmark", BENCHMARK_SCHEMA), Map.of());

    // ------------------------------------------------------------------------------------------------ built-ins

    @Test
    void hasASchemaForEveryBuiltInArtifact() {
        assertThat(VALIDATOR.builtInArtifacts())
                .containsExactlyInAnyOrderElementsOf(WorkflowDefinitionParser.BUILT_IN_ARTIFACTS);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validSamples")
    void acceptsAValidSampleOfEachBuiltInArtifact(String artifact, JsonNode sample) {
        assertThat(VALIDATOR.validate(null, artifact, sample)).isEmpty();
    }

    static Stream<Arguments> validSamples() {
        return GateTestData.validBuiltInSamples().entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("invalidSamples")
    void rejectsTypicalInvalidDocuments(String artifact, String document, String path, String messagePart) {
        List<ArtifactProblem> problems = VALIDATOR.validate(null, artifact, json(document));

        assertThat(problems).isNotEmpty().allSatisfy(p -> {
            assertThat(p.code()).isEqualTo(ArtifactProblem.INVALID_ARTIFACT);
            assertThat(p.artifact()).isEqualTo(artifact);
        });
        assertThat(problems).anySatisfy(p -> {
            assertThat(p.path()).isEqualTo(path);
            assertThat(p.message()).contains(messagePart);
        });
    }

    static Stream<Arguments> invalidSamples() {
        return Stream.of(
                // plan
                Arguments.of("plan", "{\"acceptance_criteria\":[\"a\"]}", "/summary", "required property 'summary'"),
                Arguments.of("plan", "{\"summary\":\"s\"}", "/acceptance_criteria", "required property"),
                Arguments.of("plan", "{\"summary\":7,\"acceptance_criteria\":[]}", "/summary", "string expected"),
                Arguments.of("plan", "{\"summary\":\"s\",\"acceptance_criteria\":\"a\"}", "/acceptance_criteria", "array expected"),
                Arguments.of("plan", "{\"summary\":\"s\",\"acceptance_criteria\":[\"a\",2]}", "/acceptance_criteria/1", "string expected"),
                Arguments.of("plan", "[\"not\",\"an\",\"object\"]", "", "object expected"),
                // scope, tests
                Arguments.of("scope", "{}", "/files", "required property 'files'"),
                Arguments.of("scope", "{\"files\":[1]}", "/files/0", "string expected"),
                Arguments.of("tests", "{\"files\":\"a.java\"}", "/files", "array expected"),
                // test_result
                Arguments.of("test_result", "{\"passed\":1}", "/failed", "required property 'failed'"),
                Arguments.of("test_result", "{\"passed\":-1,\"failed\":0}", "/passed", "minimum value of 0"),
                Arguments.of("test_result", "{\"passed\":1,\"failed\":-2}", "/failed", "minimum value of 0"),
                Arguments.of("test_result", "{\"passed\":\"3\",\"failed\":0}", "/passed", "integer expected"),
                Arguments.of("test_result", "{\"passed\":1.5,\"failed\":0}", "/passed", "integer expected"),
                Arguments.of("test_result", "{\"passed\":1,\"failed\":0,\"skipped\":-1}", "/skipped", "minimum value of 0"),
                Arguments.of("test_result", "{\"passed\":1,\"failed\":0,\"report\":{}}", "/report", "string expected"),
                // implementation, completion
                Arguments.of("implementation", "{\"summary\":\"s\"}", "/files", "required property 'files'"),
                Arguments.of("completion", "{\"summary\":false}", "/summary", "string expected"),
                // review
                Arguments.of("review", "{\"verdict\":\"maybe\",\"blocking_issues\":[]}", "/verdict", "enumeration"),
                Arguments.of("review", "{\"verdict\":\"approve\"}", "/blocking_issues", "required property 'blocking_issues'"),
                Arguments.of("review", "{\"verdict\":\"approve\",\"blocking_issues\":[{\"msg\":\"x\"}]}",
                        "/blocking_issues/0/message", "required property 'message'"),
                Arguments.of("review", "{\"verdict\":\"approve\",\"blocking_issues\":[{\"message\":1}]}",
                        "/blocking_issues/0/message", "string expected"),
                Arguments.of("review", "{\"verdict\":\"approve\",\"blocking_issues\":[\"fix it\"]}",
                        "/blocking_issues/0", "object expected"));
    }

    @Test
    void reportsEveryViolationWithReadableMessages() {
        List<ArtifactProblem> problems = VALIDATOR.validate(null, "test_result", json("{\"passed\":-1,\"failed\":\"x\"}"));

        assertThat(problems).extracting(ArtifactProblem::path).containsExactlyInAnyOrder("/passed", "/failed");
        assertThat(problems).extracting(ArtifactProblem::message)
                .noneMatch(m -> m.contains("Exception") || m.contains("com.networknt") || m.contains("$."));
        assertThat(problems.get(0).describe()).startsWith("test_result/");
    }

    @Test
    void acceptsPlainJavaMapsAsWellAsJsonTrees() {
        Map<String, Object> plan = Map.of("summary", "s", "acceptance_criteria", List.of("a", "b"));
        assertThat(VALIDATOR.validate(null, "plan", plan)).isEmpty();
        assertThat(VALIDATOR.validate(null, "plan", Map.of("summary", "s")))
                .extracting(ArtifactProblem::path).containsExactly("/acceptance_criteria");
    }

    @Test
    void capsTheNumberOfProblemsReportedForOneArtifact() {
        StringBuilder files = new StringBuilder("[");
        for (int i = 0; i < 100; i++) {
            files.append(i == 0 ? "" : ",").append(i);
        }
        List<ArtifactProblem> problems = VALIDATOR.validate(null, "scope", json("{\"files\":" + files + "]}"));

        assertThat(problems).hasSize(ArtifactValidator.MAX_PROBLEMS_PER_ARTIFACT + 1);
        assertThat(problems.get(problems.size() - 1).message()).isEqualTo("and 75 more problems");
    }

    // ------------------------------------------------------------------------------------- workflow-declared

    @Test
    void validatesAWorkflowDeclaredArtifactAgainstItsSchema() {
        assertThat(VALIDATOR.validate(BENCH_WORKFLOW, "benchmark",
                json("{\"ops_per_sec\":1250.5,\"machine\":\"ci-2-cores\",\"extra\":true}"))).isEmpty();

        assertThat(VALIDATOR.validate(BENCH_WORKFLOW, "benchmark", json("{\"ops_per_sec\":0,\"machine\":\"Big Box\"}")))
                .extracting(ArtifactProblem::code, ArtifactProblem::path)
                .containsExactlyInAnyOrder(
                        tuple(ArtifactProblem.INVALID_ARTIFACT, "/ops_per_sec"),
                        tuple(ArtifactProblem.INVALID_ARTIFACT, "/machine"));
    }

    @Test
    void anArtifactWithoutAnySchemaIsUnknown() {
        assertThat(VALIDATOR.validate(BENCH_WORKFLOW, "screenshot", json("{}")))
                .singleElement()
                .satisfies(p -> {
                    assertThat(p.code()).isEqualTo(ArtifactProblem.UNKNOWN_ARTIFACT);
                    assertThat(p.message()).contains("'screenshot'", "'bench' version 3");
                });
    }

    @Test
    void aWorkflowSchemaThatCannotBeCompiledIsReportedNotThrown() {
        WorkflowDefinition broken = workflow("broken", 1, List.of(),
                Map.of("thing", jsonMap("{\"type\":\"object\",\"properties\":{\"a\":{\"$ref\":\"#/$defs/missing\"}}}")),
                Map.of());

        assertThat(VALIDATOR.validate(broken, "thing", json("{\"a\":1}")))
                .singleElement()
                .satisfies(p -> {
                    assertThat(p.code()).isEqualTo(ArtifactProblem.INVALID_ARTIFACT_SCHEMA);
                    assertThat(p.message()).contains("'broken' version 1", "cannot be used");
                });
    }

    // ------------------------------------------------------------------------------------------ transitions

    @Test
    void reportsEachRequiredArtifactThatIsMissing() {
        WorkflowDefinition wf = workflow(Map.of(), Map.of());
        TransitionDefinition tddToImpl = new TransitionDefinition("TDD", "IMPL", List.of("tests", "test_result"), List.of());
        Map<String, Object> submitted = new LinkedHashMap<>();
        submitted.put("tests", null);

        assertThat(VALIDATOR.validateTransition(wf, tddToImpl, submitted))
                .extracting(ArtifactProblem::code, ArtifactProblem::artifact)
                .containsExactly(
                        tuple(ArtifactProblem.MISSING_ARTIFACT, "tests"),
                        tuple(ArtifactProblem.MISSING_ARTIFACT, "test_result"));
        assertThat(VALIDATOR.validateTransition(wf, tddToImpl, null)).hasSize(2)
                .first().extracting(ArtifactProblem::message).asString()
                .isEqualTo("artifact 'tests' is required to move from TDD to IMPL but was not submitted");
    }

    @Test
    void reportsInvalidAndUnknownArtifactsOfATransition() {
        TransitionDefinition implToReview = new TransitionDefinition("IMPL", "REVIEW",
                List.of("implementation", "test_result"), List.of());
        Map<String, Object> submitted = new LinkedHashMap<>();
        submitted.put("implementation", json("{\"summary\":\"s\",\"files\":[]}"));
        submitted.put("test_result", json("{\"passed\":-4,\"failed\":0}"));
        submitted.put("benchmark", json("{\"ops_per_sec\":-1,\"machine\":\"m\"}"));
        submitted.put("notes", json("{}"));

        assertThat(VALIDATOR.validateTransition(BENCH_WORKFLOW, implToReview, submitted))
                .extracting(ArtifactProblem::code, ArtifactProblem::artifact, ArtifactProblem::path)
                .containsExactly(
                        tuple(ArtifactProblem.INVALID_ARTIFACT, "test_result", "/passed"),
                        tuple(ArtifactProblem.INVALID_ARTIFACT, "benchmark", "/ops_per_sec"),
                        tuple(ArtifactProblem.UNKNOWN_ARTIFACT, "notes", ""));
    }

    @Test
    void aCompleteValidSubmissionHasNoProblems() {
        TransitionDefinition reviewToComplete = new TransitionDefinition("REVIEW", "COMPLETE", List.of("review"), List.of());
        Map<String, JsonNode> submitted = Map.of("review", GateTestData.validBuiltInSamples().get("review"));

        assertThat(VALIDATOR.validateTransition(workflow(Map.of(), Map.of()), reviewToComplete, submitted)).isEmpty();
    }

    // --------------------------------------------------------------------------------------- publish checks

    @Test
    void acceptsAUsableDraft2020Schema() {
        assertThat(VALIDATOR.checkSchema(BENCHMARK_SCHEMA)).isEmpty();
        assertThat(VALIDATOR.checkSchema(jsonMap("{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\","
                + "\"$defs\":{\"n\":{\"type\":\"integer\"}},\"type\":\"object\",\"properties\":{\"n\":{\"$ref\":\"#/$defs/n\"}}}")))
                .isEmpty();
    }

    @Test
    void rejectsSchemasThatBreakTheMetaSchema() {
        assertThat(VALIDATOR.checkSchema(jsonMap("{\"type\":\"thing\",\"required\":\"a\"}")))
                .anySatisfy(e -> assertThat(e).startsWith("/type: "))
                .anySatisfy(e -> assertThat(e).startsWith("/required: ").contains("array expected"));
    }

    @Test
    void rejectsOtherDialects() {
        assertThat(VALIDATOR.checkSchema(jsonMap("{\"$schema\":\"http://json-schema.org/draft-07/schema#\"}")))
                .singleElement().asString().contains("must be https://json-schema.org/draft/2020-12/schema");
    }

    @Test
    void neverLoadsReferencedSchemasFromOutside() {
        for (String ref : List.of("http://127.0.0.1:9/schema.json", "file:///etc/hostname",
                "classpath:artifact-schemas/plan.schema.json")) {
            assertThat(VALIDATOR.checkSchema(jsonMap("{\"$ref\":\"" + ref + "\"}")))
                    .as(ref)
                    .singleElement().asString().contains("is not allowed to be loaded");
        }
    }

    @Test
    void rejectsUnresolvableReferencesAndUnsupportedPatterns() {
        assertThat(VALIDATOR.checkSchema(jsonMap("{\"properties\":{\"a\":{\"$ref\":\"#/$defs/nope\"}}}")))
                .singleElement().asString().contains("/$defs/nope").doesNotContain("Exception");
        // look-ahead cannot run in linear time: refused rather than risking catastrophic backtracking
        assertThat(VALIDATOR.checkSchema(jsonMap("{\"type\":\"string\",\"pattern\":\"^(?=a)a+$\"}")))
                .singleElement().asString()
                .startsWith("/pattern: regular expression '^(?=a)a+$' is not supported")
                .doesNotContain("Exception");
        assertThat(VALIDATOR.checkSchema(jsonMap("{\"patternProperties\":{\"^(a+)\\\\1$\":{}}}")))
                .singleElement().asString().startsWith("/patternProperties: regular expression");
        // "pattern" inside data keywords is data, not a regular expression
        assertThat(VALIDATOR.checkSchema(jsonMap("{\"enum\":[{\"pattern\":\"(?=\"}],"
                + "\"properties\":{\"pattern\":{\"type\":\"string\"}}}"))).isEmpty();
    }

    // -------------------------------------------------------------------------------------------------- caching

    @Test
    void compilesEachSchemaOnce() {
        assertThat(VALIDATOR.compiledSchema(null, "plan")).isNotNull()
                .isSameAs(VALIDATOR.compiledSchema(BENCH_WORKFLOW, "plan"));

        var first = VALIDATOR.compiledSchema(BENCH_WORKFLOW, "benchmark");
        VALIDATOR.validate(BENCH_WORKFLOW, "benchmark", json("{\"ops_per_sec\":1,\"machine\":\"m\"}"));
        assertThat(first).isNotNull().isSameAs(VALIDATOR.compiledSchema(BENCH_WORKFLOW, "benchmark"));

        WorkflowDefinition nextVersion = workflow("bench", 4, List.of(), Map.of("benchmark", BENCHMARK_SCHEMA), Map.of());
        assertThat(VALIDATOR.compiledSchema(nextVersion, "benchmark")).isNotNull().isNotSameAs(first);
    }
}
