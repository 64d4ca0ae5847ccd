package io.phasegate.command.task;

import java.util.Optional;

/** Command-side lookup of existing tasks, used to check a new task's dependencies. */
public interface TaskDirectory {

    /** The owning organisation of a task, or empty when there is no such task. */
    Optional<String> organisationOf(String taskId);
}
