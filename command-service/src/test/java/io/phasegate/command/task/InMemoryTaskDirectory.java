package io.phasegate.command.task;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Existing tasks and their organisations, in a plain map. */
final class InMemoryTaskDirectory implements TaskDirectory {

    private final Map<String, String> organisationByTask = new HashMap<>();

    InMemoryTaskDirectory add(String orgId, String... taskIds) {
        for (String taskId : taskIds) {
            organisationByTask.put(taskId, orgId);
        }
        return this;
    }

    @Override
    public Optional<String> organisationOf(String taskId) {
        return Optional.ofNullable(organisationByTask.get(taskId));
    }
}
