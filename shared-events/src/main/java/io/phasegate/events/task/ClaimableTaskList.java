package io.phasegate.events.task;

import java.util.List;

/** Query result of {@link FindClaimableTasksQuery}: the claimable tasks, best candidate first. */
public record ClaimableTaskList(List<TaskView> items) {
    public ClaimableTaskList {
        items = items == null ? List.of() : List.copyOf(items);
    }
}
