package io.phasegate.events.tool;

import java.util.Map;
import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * The claiming agent, holding a verified phase token (generation {@code generation}, phase {@code tokenPhase}),
 * asks to call {@code toolName} with {@code args} (JSON data). The task decides against the phase's tool policy
 * (allowed tools, argument constraints, approvals) and records {@link ToolCallDecidedEvent} with the digest and the
 * redacted summary, both computed by the task from {@code args} (so no caller can put anything else into the
 * event), never the raw arguments (commands are not stored). Answers a {@link ToolDecision}.
 */
public record AuthorizeToolCallCommand(@TargetAggregateIdentifier String taskId, String agentId, long generation,
                                       String tokenPhase, String callId, String toolName, Map<String, Object> args) {
    public AuthorizeToolCallCommand {
        args = args == null ? Map.of() : args;
    }

    @Override
    public String toString() {
        return "AuthorizeToolCallCommand[taskId=" + taskId + ", agentId=" + agentId + ", callId=" + callId
                + ", toolName=" + toolName + "]";
    }
}
