package io.phasegate.events.task;

import java.util.List;

/**
 * The agent state snapshot (SPEC §4.1, fixed contract).
 *
 * @param task             the task
 * @param taskDependencies the tasks it depends on with their status
 * @param completedTasks   completed tasks of the same organisation and project, most recently completed first, at
 *                         most {@value #MAX_COMPLETED_TASKS}
 * @param blockers         the blockers of the task's last rejected transition (empty after a successful one)
 */
public record AgentSnapshotView(TaskView task, List<TaskDependencyView> taskDependencies,
                                List<CompletedTaskView> completedTasks, List<TransitionBlocker> blockers) {

    public static final int MAX_COMPLETED_TASKS = 50;

    public AgentSnapshotView {
        taskDependencies = taskDependencies == null ? List.of() : List.copyOf(taskDependencies);
        completedTasks = completedTasks == null ? List.of() : List.copyOf(completedTasks);
        blockers = blockers == null ? List.of() : List.copyOf(blockers);
    }
}
