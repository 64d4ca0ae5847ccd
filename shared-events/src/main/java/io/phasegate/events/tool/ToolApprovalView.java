package io.phasegate.events.tool;

import java.time.Instant;
import java.util.Map;

/**
 * A human approval of one call of an {@code approval_required} tool.
 *
 * @param status     {@value #PENDING}, {@value #GRANTED} or {@value #DENIED}
 * @param argsSummary the call's arguments, redacted
 * @param decidedBy  who granted or denied it, or {@code null} while pending
 */
public record ToolApprovalView(String approvalId, String taskId, String callId, String agentId, String phase,
                               String toolName, String argsDigest, Map<String, Object> argsSummary, String status,
                               Instant requestedAt, String decidedBy, String comment, Instant decidedAt) {

    public static final String PENDING = "pending";
    public static final String GRANTED = "granted";
    public static final String DENIED = "denied";
}
