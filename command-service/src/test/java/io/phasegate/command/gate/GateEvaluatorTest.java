package io.phasegate.command.gate;

import static io.phasegate.command.gate.GateTestData.json;
import static io.phasegate.command.gate.GateTestData.workflow;
import static io.phasegate.command.gate.ReviewState.Verdict.APPROVE;
import static io.phasegate.command.gate.ReviewState.Verdict.CHANGES_REQUESTED;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.phasegate.command.workflow.WorkflowDefinitionParser;
import io.phasegate.events.workflow.TransitionDefinition;
import io.phasegate.events.workflow.WorkflowDefinition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

class GateEvaluatorTest {

    private static final GateEvaluator GATES = new GateEvaluator();

    private static Optional<GateBlocker> gate(String gateId, Map<String, ?> artifacts) {
        return gate(gateId, artifacts, ReviewState.none());
    }

    private static Optional<GateBlocker> gate(String gateId, Map<String, ?> artifacts, ReviewState reviews) {
        List<GateBlocker> blockers = GATES.evaluate(List.of(gateId), Map.of(), artifacts, reviews);
        assertThat(blockers).hasSizeLessThanOrEqualTo(1).allSatisfy(b -> assertThat(b.code()).isEqualTo(gateId));
        return blockers.stream().findFirst();
    }

    private static Map<String, JsonNode> testResult(String document) {
        return Map.of("test_result", json(document));
    }

    @Test
    void knowsEveryBuiltInGate() {
        assertThat(WorkflowDefinitionParser.BUILT_IN_GATES).allMatch(GateEvaluator::isBuiltIn);
        assertThat(GateEvaluator.isBuiltIn("coverage_ok")).isFalse();
    }

    // ---------------------------------------------------------------------------------------- built-in gates

    @Test
    void planHasAcceptanceCriteria() {
        String id = GateEvaluator.PLAN_HAS_ACCEPTANCE_CRITERIA;
        assertThat(gate(id, Map.of("plan", json("{\"summary\":\"s\",\"acceptance_criteria\":[\"logs in\"]}")))).isEmpty();

        assertThat(gate(id, Map.of("plan", json("{\"summary\":\"s\",\"acceptance_criteria\":[]}"))))
                .get().extracting(GateBlocker::message).asString().contains("no acceptance criteria");
        assertThat(gate(id, Map.of("plan", json("{\"summary\":\"s\",\"acceptance_criteria\":[\"  \"]}")))).isPresent();
        assertThat(gate(id, Map.of("plan", json("{\"summary\":\"s\"}")))).isPresent();
        assertThat(gate(id, Map.of())).get().extracting(GateBlocker::message).asString()
                .isEqualTo("requires the plan artifact, which was not submitted");
    }

    @Test
    void testsAreFailing() {
        String id = GateEvaluator.TESTS_ARE_FAILING;
        assertThat(gate(id, testResult("{\"passed\":0,\"failed\":2}"))).isEmpty();

        assertThat(gate(id, testResult("{\"passed\":5,\"failed\":0}")))
                .get().extracting(GateBlocker::message).asString().contains("no failing tests");
        assertThat(gate(id, testResult("{\"passed\":5,\"failed\":\"2\"}")))
                .get().extracting(GateBlocker::message).asString().contains("test_result.failed must be an integer");
        assertThat(gate(id, Map.of())).isPresent();
    }

    @Test
    void allTestsPass() {
        String id = GateEvaluator.ALL_TESTS_PASS;
        assertThat(gate(id, testResult("{\"passed\":12,\"failed\":0}"))).isEmpty();
        assertThat(gate(id, Map.of("test_result", Map.of("passed", 1, "failed", 0.0)))).isEmpty();

        assertThat(gate(id, testResult("{\"passed\":12,\"failed\":1}")))
                .get().extracting(GateBlocker::message).asString().isEqualTo("test_result reports 1 failing test (failed must be 0)");
        assertThat(gate(id, testResult("{\"passed\":0,\"failed\":0}")))
                .get().extracting(GateBlocker::message).asString().contains("no passing tests");
        assertThat(gate(id, testResult("{\"passed\":-3,\"failed\":0}"))).isPresent();
        assertThat(gate(id, testResult("{\"failed\":0}"))).isPresent();
        assertThat(gate(id, Map.of())).isPresent();
    }

    @Test
    void noBlockingIssues() {
        String id = GateEvaluator.NO_BLOCKING_ISSUES;
        assertThat(gate(id, Map.of("review", json("{\"verdict\":\"approve\",\"blocking_issues\":[]}")))).isEmpty();

        assertThat(gate(id, Map.of("review", json("{\"verdict\":\"changes_requested\",\"blocking_issues\":"
                + "[{\"message\":\"null check missing\"},{\"message\":\"no test for logout\"}]}"))))
                .get().extracting(GateBlocker::message).asString()
                .isEqualTo("the review has 2 blocking issues: null check missing; no test for logout");
        assertThat(gate(id, Map.of("review", json("{\"verdict\":\"approve\"}")))).isPresent();
        assertThat(gate(id, Map.of())).isPresent();
    }

    @Test
    void reviewsApproved() {
        String id = GateEvaluator.REVIEWS_APPROVED;
        assertThat(gate(id, Map.of(), ReviewState.of(2, APPROVE, APPROVE))).isEmpty();
        assertThat(gate(id, Map.of(), ReviewState.of(1, APPROVE, APPROVE))).isEmpty();
        assertThat(gate(id, Map.of(), ReviewState.of(0, APPROVE))).isEmpty();

        assertThat(gate(id, Map.of(), ReviewState.of(2, APPROVE)))
                .get().extracting(GateBlocker::message).asString().isEqualTo("1 of 2 requested reviews are still outstanding");
        assertThat(gate(id, Map.of(), ReviewState.of(2, APPROVE, CHANGES_REQUESTED)))
                .get().extracting(GateBlocker::message).asString().isEqualTo("1 of 2 submitted reviews requested changes");
        assertThat(gate(id, Map.of(), ReviewState.of(1))).isPresent();
        assertThat(gate(id, Map.of(), ReviewState.none()))
                .get().extracting(GateBlocker::message).asString().contains("no review was requested");
        assertThat(GATES.evaluate(List.of(id), Map.of(), Map.of(), null)).hasSize(1);
    }

    @Test
    void verdictsParseFromTheirWireNames() {
        assertThat(ReviewState.Verdict.fromWireName("approve")).contains(APPROVE);
        assertThat(ReviewState.Verdict.fromWireName("Changes_Requested")).contains(CHANGES_REQUESTED);
        assertThat(ReviewState.Verdict.fromWireName("lgtm")).isEmpty();
    }

    // ------------------------------------------------------------------------------------------ custom gates

    private static final String ENOUGH_TESTS =
            "artifacts.test_result.passed >= 10 && size(artifacts.plan.acceptance_criteria) > 1";

    private static Optional<GateBlocker> custom(String expression, Map<String, ?> artifacts) {
        List<GateBlocker> blockers = GATES.evaluate(List.of("custom_gate"), Map.of("custom_gate", expression),
                artifacts, null);
        return blockers.stream().findFirst();
    }

    private static Map<String, JsonNode> planAndResult(int passed, String... criteria) {
        String list = String.join(",", java.util.Arrays.stream(criteria).map(c -> "\"" + c + "\"").toList());
        return Map.of(
                "plan", json("{\"summary\":\"s\",\"acceptance_criteria\":[" + list + "]}"),
                "test_result", json("{\"passed\":" + passed + ",\"failed\":0,\"coverage\":0.83,\"notes\":null}"));
    }

    @Test
    void aCustomGatePassesWhenItsExpressionIsTrue() {
        assertThat(custom(ENOUGH_TESTS, planAndResult(12, "a", "b"))).isEmpty();
    }

    @Test
    void aCustomGateFailsWhenItsExpressionIsFalse() {
        assertThat(custom(ENOUGH_TESTS, planAndResult(9, "a", "b")))
                .get().satisfies(b -> {
                    assertThat(b.code()).isEqualTo("custom_gate");
                    assertThat(b.message()).isEqualTo("gate 'custom_gate' is false: " + ENOUGH_TESTS);
                });
        assertThat(custom(ENOUGH_TESTS, planAndResult(12, "only one"))).isPresent();
    }

    @Test
    void customGatesSeeJsonValuesAsCelValues() {
        Map<String, JsonNode> artifacts = planAndResult(12, "alpha", "beta");
        assertThat(custom("artifacts.test_result.coverage >= 0.8 && artifacts.test_result.passed > 11.5", artifacts)).isEmpty();
        assertThat(custom("artifacts.test_result.notes == null", artifacts)).isEmpty();
        assertThat(custom("artifacts.plan.acceptance_criteria.all(c, c.startsWith('a') || c.endsWith('a'))", artifacts)).isEmpty();
        assertThat(custom("artifacts.plan.summary.upperAscii() == 'S'", artifacts)).isEmpty();
        assertThat(custom("!has(artifacts.review) || artifacts.review.verdict == 'approve'", artifacts)).isEmpty();
        assertThat(custom("artifacts.test_result.passed >= 10",
                Map.of("test_result", Map.of("passed", 10, "failed", 0)))).isEmpty();
    }

    @Test
    void anEvaluationErrorFailsTheGateWithAClearMessage() {
        assertThat(custom("artifacts.review.verdict == 'approve'", planAndResult(12, "a")))
                .get().extracting(GateBlocker::message).asString()
                .startsWith("gate 'custom_gate' could not be evaluated: key 'review' is not present in map")
                .doesNotContain("<input>");
        assertThat(custom("artifacts.test_result.missing_field > 1", planAndResult(12, "a")))
                .get().extracting(GateBlocker::message).asString().contains("'missing_field' is not present");
        // wrong type: a list compared with an int
        assertThat(custom("artifacts.plan.acceptance_criteria > 1", planAndResult(12, "a")))
                .get().extracting(GateBlocker::message).asString()
                .startsWith("gate 'custom_gate' could not be evaluated: no matching overload: operator '>' cannot be "
                        + "applied to values of these types")
                .doesNotContain("candidates");
        assertThat(custom("9223372036854775807 + artifacts.test_result.passed > 0", planAndResult(12, "a")))
                .get().extracting(GateBlocker::message).asString().contains("overflow");
    }

    @Test
    void aDynamicResultThatIsNotABooleanFailsTheGate() {
        assertThat(custom("artifacts.plan.summary", planAndResult(12, "a")))
                .get().extracting(GateBlocker::message).asString()
                .isEqualTo("gate 'custom_gate' must evaluate to true or false, but evaluated to the string 's'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"artifacts.test_result.passed >=", "passed > 10", "artifacts.test_result.passed + 1", "size(1, 2)"})
    void checkExpressionReportsCompileErrors(String expression) {
        assertThat(GATES.checkExpression(expression)).get().asString()
                .startsWith("line 1, column ")
                .doesNotContain("Exception", "dev.cel");
    }

    @Test
    void checkExpressionExplainsWhatIsWrong() {
        assertThat(GATES.checkExpression("passed > 10")).contains("line 1, column 1: undeclared reference to 'passed'");
        assertThat(GATES.checkExpression("artifacts.test_result.passed + 1")).get().asString()
                .contains("expected type 'bool' but found 'int'");
        assertThat(GATES.checkExpression("  ")).contains("the expression is empty");
        assertThat(GATES.checkExpression("x".repeat(GateEvaluator.MAX_EXPRESSION_LENGTH + 1))).isPresent();
        assertThat(GATES.checkExpression(ENOUGH_TESTS)).isEmpty();
    }

    @Test
    void aGateWithAnInvalidExpressionBlocksInsteadOfThrowing() {
        assertThat(custom("artifacts.test_result.passed >=", planAndResult(12, "a")))
                .get().extracting(GateBlocker::message).asString().startsWith("gate 'custom_gate' has an invalid expression: line 1");
    }

    @Test
    void compilesEachExpressionOnce() {
        String expression = "artifacts.test_result.failed == 0 && artifacts.test_result.passed > 0";
        assertThat(GATES.checkExpression(expression)).isEmpty();
        var program = GATES.compiledProgram(expression);

        custom(expression, planAndResult(3, "a"));

        assertThat(program).isNotNull().isSameAs(GATES.compiledProgram(expression));
        assertThat(GATES.compiledProgram("artifacts.test_result.failed == 1")).isNotSameAs(program);
        assertThat(GATES.compiledProgram("not valid (")).isNull();
    }

    // ------------------------------------------------------------------------------------------- transitions

    @Test
    void evaluatesTheGatesOfATransitionInOrder() {
        TransitionDefinition implToReview = new TransitionDefinition("IMPL", "REVIEW", List.of("test_result"),
                List.of("all_tests_pass", "enough_tests", "coverage_ok", "undeclared_gate"));
        WorkflowDefinition wf = workflow("strict-tdd", 2, List.of(implToReview), Map.of(), Map.of(
                "enough_tests", "artifacts.test_result.passed >= 10",
                "coverage_ok", "artifacts.test_result.coverage >= 0.8"));

        List<GateBlocker> blockers = GATES.evaluate(wf, implToReview,
                testResult("{\"passed\":4,\"failed\":1,\"coverage\":0.9}"), ReviewState.none());

        assertThat(blockers).extracting(GateBlocker::code)
                .containsExactly("all_tests_pass", "enough_tests", "undeclared_gate");
        assertThat(blockers.get(2).message()).isEqualTo("gate 'undeclared_gate' is neither built in nor declared by the workflow");

        assertThat(GATES.evaluate(wf, implToReview, testResult("{\"passed\":40,\"failed\":0,\"coverage\":0.9}"), null))
                .extracting(GateBlocker::code).containsExactly("undeclared_gate");
    }
}
