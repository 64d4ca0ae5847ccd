package io.phasegate.events.tool;

/**
 * The tool-call log of an organisation, newest first, with optional filters. Answers a {@link ToolCallPage}.
 *
 * @param decision {@code allowed}, {@code denied} or {@code approval_required}, or {@code null}
 * @param after    cursor: the {@code next_cursor} of the previous page, or {@code null}
 * @param limit    page size (1..200)
 */
public record FindToolCallsQuery(String orgId, String taskId, String agentId, String decision, String after,
                                 int limit) {
}
