package io.phasegate.events.tool;

import org.axonframework.modelling.command.TargetAggregateIdentifier;

/**
 * The outcome of an allowed tool call: reported by the agent for a tool it runs itself (holding a token of the
 * current generation), or by command-service for a call it forwarded to a tool executor ({@code generation} -1,
 * {@code source} {@code executor}).
 *
 * @param status  {@code succeeded} or {@code failed}
 * @param summary a short redacted description of the outcome
 */
public record ReportToolOutcomeCommand(@TargetAggregateIdentifier String taskId, String agentId, long generation,
                                       String callId, String source, String status, String summary) {
}
