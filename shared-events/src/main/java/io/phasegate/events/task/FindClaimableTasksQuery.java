package io.phasegate.events.task;

import java.util.List;

/**
 * The claimable tasks of an organisation: status {@code created} (never claimed, released or expired), every
 * dependency completed, and (when {@code capabilities} is not null) every required capability among
 * {@code capabilities}. Highest priority first, then oldest first. Answers {@link ClaimableTaskList}.
 *
 * @param projectId    only tasks of this project, or {@code null} for all
 * @param capabilities the agent's capabilities, or {@code null} not to filter by capability
 * @param limit        at most this many tasks (1..200)
 */
public record FindClaimableTasksQuery(String orgId, String projectId, List<String> capabilities, int limit) {
    public FindClaimableTasksQuery {
        capabilities = capabilities == null ? null : List.copyOf(capabilities);
    }
}
