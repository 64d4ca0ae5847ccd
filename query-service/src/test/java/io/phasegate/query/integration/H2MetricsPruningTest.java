package io.phasegate.query.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.phasegate.events.tool.ToolCallDecidedEvent;
import io.phasegate.platform.storage.testing.TestStorage;
import io.phasegate.query.metrics.WorkflowMetricsProjection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * The workflow-metrics projection records each counted event's position (so that an event counts once) and prunes
 * the positions its stored tokens have passed, which are never delivered again: the table does not keep a row per
 * event ever counted, and the counts stay exact.
 */
@TestPropertySource(properties = "phasegate.metrics.prune-counted-every=2")
class H2MetricsPruningTest extends QueryStorageTestSupport {

    private static String url;

    @Override
    String databaseUrl() {
        return url;
    }

    @DynamicPropertySource
    static void h2(DynamicPropertyRegistry registry) {
        url = TestStorage.freshH2(registry, "query");
    }

    @Test
    void countedPositionsTheStoredTokenHasPassedArePrunedAndTheCountsStayExact() {
        String org = "prune-" + suffix();
        String workflow = "wf-" + suffix();
        String task = "t-" + suffix();
        List<Long> counted = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            counted.add(emit(task, toolCall(task, org, workflow, i)));
        }
        awaitCaughtUp(processor(WorkflowMetricsProjection.GROUP), counted.get(counted.size() - 1));
        for (int i = 6; i < 10; i++) {
            counted.add(emit(task, toolCall(task, org, workflow, i)));
        }
        awaitCaughtUp(processor(WorkflowMetricsProjection.GROUP), counted.get(counted.size() - 1));

        List<Long> kept = jdbc.queryForList("SELECT position FROM workflow_metrics_counted WHERE position >= ? "
                + "ORDER BY position", Long.class, counted.get(0));
        assertThat(kept).as("the first six were committed with a stored token before the last four were counted")
                .doesNotContainAnyElementsOf(counted.subList(0, 6))
                .isSubsetOf(counted.subList(6, 10));
        assertThat(jdbc.queryForObject("SELECT tool_calls FROM workflow_metrics WHERE org_id = ? AND workflow_id = ?",
                Long.class, org, workflow)).isEqualTo(10L);
    }

    private static ToolCallDecidedEvent toolCall(String task, String org, String workflow, int n) {
        return new ToolCallDecidedEvent(task, org, "agent-0", workflow, 1, "PLAN", "call-" + n, "read_file",
                "sha256:x", Map.of("path", "a"), "allowed", null, null, null, List.of(), Instant.now());
    }
}
