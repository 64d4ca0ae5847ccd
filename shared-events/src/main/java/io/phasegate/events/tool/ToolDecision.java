package io.phasegate.events.tool;

import java.util.List;

/**
 * Result of {@link AuthorizeToolCallCommand}.
 *
 * @param decision   {@code allowed}, {@code denied} or {@code approval_required} (denied until a human grants the
 *                   approval {@code approvalId}; calling again with the same arguments then succeeds once)
 * @param code       why, when not plainly allowed: {@code tool_not_allowed}, {@code constraint_violated},
 *                   {@code approval_required}, {@code approval_denied}
 * @param warnings   violations that permissive enforcement let pass
 */
public record ToolDecision(String callId, String decision, String code, String reason, String approvalId,
                           List<String> warnings) {

    public static final String ALLOWED = "allowed";
    public static final String DENIED = "denied";
    public static final String APPROVAL_REQUIRED = "approval_required";

    public ToolDecision {
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    public boolean allowed() {
        return ALLOWED.equals(decision);
    }
}
