package io.phasegate.events.task;

/**
 * Query result of {@link FindTaskClaimStateQuery}: what a phase token is checked against (SPEC §2.3). Internal: the
 * token generation is not shown to people.
 *
 * @param claimedBy       the claiming agent, or {@code null}
 * @param tokenGeneration the generation of the task's current phase token (0 before the first claim)
 * @param position        the global position of the last event applied to the task
 */
public record TaskClaimStateView(String taskId, String orgId, String projectId, String status, String phase,
                                 String claimedBy, long tokenGeneration, long position) {
}
