package io.phasegate.command.gate;

import java.util.List;
import java.util.Map;

import io.phasegate.events.workflow.PhaseDefinition;
import io.phasegate.events.workflow.TransitionDefinition;
import io.phasegate.events.workflow.WorkflowDefinition;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Workflows and documents shared by the gate tests. */
final class GateTestData {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private GateTestData() {
    }

    static JsonNode json(String text) {
        return JSON.readTree(text);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> jsonMap(String text) {
        return JSON.readValue(text, Map.class);
    }

    static WorkflowDefinition workflow(String id, int version, List<TransitionDefinition> transitions,
                                       Map<String, Map<String, Object>> artifacts, Map<String, String> gates) {
        List<PhaseDefinition> phases = List.of(
                new PhaseDefinition("PLAN", false, null, null),
                new PhaseDefinition("TDD", false, null, null),
                new PhaseDefinition("IMPL", false, null, null),
                new PhaseDefinition("REVIEW", false, null, null),
                new PhaseDefinition("COMPLETE", true, null, null));
        return new WorkflowDefinition(id, version, WorkflowDefinition.Enforcement.STRICT, 3600, 900, phases,
                transitions, artifacts, gates);
    }

    static WorkflowDefinition workflow(Map<String, Map<String, Object>> artifacts, Map<String, String> gates) {
        return workflow("gated", 1, List.of(), artifacts, gates);
    }

    /** A valid sample of every built-in artifact (with an extra property, which schemas allow). */
    static Map<String, JsonNode> validBuiltInSamples() {
        return Map.of(
                "plan", json("{\"summary\":\"add login\",\"acceptance_criteria\":[\"user can log in\"],\"notes\":\"x\"}"),
                "scope", json("{\"files\":[\"src/Login.java\"],\"extra\":1}"),
                "tests", json("{\"files\":[\"src/LoginTest.java\"]}"),
                "test_result", json("{\"passed\":3,\"failed\":0,\"skipped\":1,\"report\":\"ok\",\"runner\":\"junit\"}"),
                "implementation", json("{\"summary\":\"done\",\"files\":[\"src/Login.java\"]}"),
                "review", json("{\"verdict\":\"approve\",\"blocking_issues\":[],\"comments\":[\"nice\"]}"),
                "completion", json("{\"summary\":\"shipped\"}"));
    }
}
