package io.phasegate.events.tool;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.axonframework.serialization.Revision;

/**
 * A tool call was decided (SPEC §2.4): {@code decision} is {@code allowed}, {@code denied} or
 * {@code approval_required}; {@code code}/{@code reason} say why when it was not plainly allowed; {@code warnings}
 * are violations that permissive enforcement let pass; {@code approvalId} is the approval that was used up or
 * requested. Carries the arguments' digest and redacted summary only.
 */
@Revision("1")
public record ToolCallDecidedEvent(String taskId, String orgId, String agentId, String workflowId,
                                   int workflowVersion, String phase, String callId, String toolName,
                                   String argsDigest, Map<String, Object> argsSummary, String decision, String code,
                                   String reason, String approvalId, List<String> warnings, Instant decidedAt) {
}
