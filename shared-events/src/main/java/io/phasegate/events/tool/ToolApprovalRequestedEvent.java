package io.phasegate.events.tool;

import java.time.Instant;
import java.util.Map;
import org.axonframework.serialization.Revision;

/** A call of an {@code approval_required} tool waits for a human: approval {@code approvalId} covers exactly this tool and these arguments (by digest). */
@Revision("1")
public record ToolApprovalRequestedEvent(String taskId, String orgId, String agentId, String phase,
                                         String approvalId, String callId, String toolName, String argsDigest,
                                         Map<String, Object> argsSummary, Instant requestedAt) {
}
