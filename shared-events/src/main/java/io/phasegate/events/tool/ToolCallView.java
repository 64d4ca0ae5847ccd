package io.phasegate.events.tool;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One decided tool call (SPEC §2.4): the arguments only as digest and redacted summary.
 *
 * @param decision {@code allowed}, {@code denied} or {@code approval_required}
 * @param outcome  the reported outcome of an allowed call, or {@code null} while none was reported
 * @param position the global position of the decision event (the log's order)
 */
public record ToolCallView(String callId, String taskId, String orgId, String agentId, String workflowId,
                           int workflowVersion, String phase, String toolName, String argsDigest,
                           Map<String, Object> argsSummary, String decision, String code, String reason,
                           String approvalId, List<String> warnings, ToolCallOutcomeView outcome, Instant decidedAt,
                           long position) {
    public ToolCallView {
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }
}
