package io.phasegate.events.task;

import java.util.Map;

/**
 * Gate and tool metrics of a workflow (SPEC §3), over all its versions.
 *
 * @param transitionsAttempted transitions tried: succeeded plus rejected
 * @param transitionsRejected  transitions refused with blockers
 * @param gateBlockRate        {@code transitionsRejected / transitionsAttempted}, 0 when none were attempted
 * @param gateBlocks           per blocker code (gate id, {@code missing_artifact}, ...): how many rejected
 *                             transitions it blocked (a code counts once per rejection)
 * @param toolCalls            tool calls decided
 * @param toolCallsDenied      calls denied
 * @param toolCallsWarned      calls that permissive enforcement let pass with warnings
 * @param toolViolations       calls denied or warned (a call counts once)
 * @param toolViolationRate    {@code toolViolations / toolCalls}, 0 when there were no calls
 * @param approvalsRequested   human approvals requested for {@code approval_required} tools
 * @param position             the global position of the last event counted
 */
public record WorkflowMetricsView(String orgId, String workflowId, long transitionsAttempted,
                                  long transitionsRejected, double gateBlockRate, Map<String, Long> gateBlocks,
                                  long toolCalls, long toolCallsDenied, long toolCallsWarned, long toolViolations,
                                  double toolViolationRate, long approvalsRequested, long position) {
    public WorkflowMetricsView {
        gateBlocks = gateBlocks == null ? Map.of() : Map.copyOf(gateBlocks);
    }
}
