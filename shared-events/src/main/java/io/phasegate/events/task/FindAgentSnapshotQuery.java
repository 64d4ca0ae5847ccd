package io.phasegate.events.task;

/**
 * The agent state snapshot of a task ({@code GET /api/v1/state/snapshot}, SPEC §4.1). The caller has checked the
 * phase token against {@link TaskClaimStateView} first. Answers an optional {@link AgentSnapshotView}.
 */
public record FindAgentSnapshotQuery(String orgId, String taskId) {
}
