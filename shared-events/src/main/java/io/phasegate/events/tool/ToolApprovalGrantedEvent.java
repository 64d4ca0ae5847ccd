package io.phasegate.events.tool;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/** A human granted approval {@code approvalId}: the next call of that tool with the same arguments is allowed, once. */
@Revision("1")
public record ToolApprovalGrantedEvent(String taskId, String orgId, String approvalId, String grantedBy,
                                       String comment, Instant grantedAt) {
}
