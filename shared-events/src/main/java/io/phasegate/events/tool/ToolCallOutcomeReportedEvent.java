package io.phasegate.events.tool;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/** The outcome of allowed call {@code callId}: {@code status} {@code succeeded} or {@code failed}, from {@code source} {@code agent} or {@code executor}. */
@Revision("1")
public record ToolCallOutcomeReportedEvent(String taskId, String orgId, String agentId, String callId,
                                           String toolName, String source, String status, String summary,
                                           Instant reportedAt) {
}
