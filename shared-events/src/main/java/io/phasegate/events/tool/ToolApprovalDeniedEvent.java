package io.phasegate.events.tool;

import java.time.Instant;
import org.axonframework.serialization.Revision;

/** A human denied approval {@code approvalId}: calls it covers stay denied ({@code approval_denied}). */
@Revision("1")
public record ToolApprovalDeniedEvent(String taskId, String orgId, String approvalId, String deniedBy,
                                      String comment, Instant deniedAt) {
}
