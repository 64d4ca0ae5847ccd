package io.phasegate.command.task;

import io.phasegate.command.workflow.WorkflowCatalog;
import io.phasegate.events.workflow.WorkflowDefinition;
import io.phasegate.events.workflow.WorkflowKeys;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/** Published workflow versions per organisation, in plain maps. */
final class InMemoryWorkflowCatalog implements WorkflowCatalog {

    private final Map<String, NavigableMap<Integer, WorkflowDefinition>> workflows = new HashMap<>();

    InMemoryWorkflowCatalog publish(String orgId, WorkflowDefinition definition) {
        workflows.computeIfAbsent(WorkflowKeys.of(orgId, definition.id()), k -> new TreeMap<>())
                .put(definition.version(), definition);
        return this;
    }

    @Override
    public Optional<WorkflowDefinition> find(String orgId, String workflowId, Integer version) {
        NavigableMap<Integer, WorkflowDefinition> versions = workflows.get(WorkflowKeys.of(orgId, workflowId));
        if (versions == null || versions.isEmpty()) {
            return Optional.empty();
        }
        return Optional.ofNullable(version == null ? versions.lastEntry().getValue() : versions.get(version));
    }
}
