package io.phasegate.query.workflow;

import io.phasegate.events.task.AllowedToolView;
import io.phasegate.events.workflow.PhaseDefinition;
import io.phasegate.events.workflow.WorkflowDefinition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.ObjectMapper;

/**
 * The tool policies of workflow phases, read from the {@code workflows} read model (see {@link WorkflowProjection}).
 * A published workflow version never changes, so parsed definitions are cached (bounded); a version the read model
 * does not hold yet is not cached, so it is found once it is projected.
 */
@Component
public class WorkflowPolicies {

    private static final int MAX_CACHED = 1_000;

    private record Key(String orgId, String workflowId, int version) {
    }

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final Map<Key, WorkflowDefinition> cache = new ConcurrentHashMap<>();

    public WorkflowPolicies(JdbcTemplate jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /**
     * The tools of {@code phase} in a workflow version: the allowed ones, then the {@code approval_required} ones
     * (marked), each once, in declaration order with its argument constraints. Empty when the workflow version or
     * the phase is unknown.
     */
    public List<AllowedToolView> allowedTools(String orgId, String workflowId, int version, String phase) {
        Optional<PhaseDefinition> definition = definition(orgId, workflowId, version).flatMap(d -> d.phase(phase));
        if (definition.isEmpty()) {
            return List.of();
        }
        PhaseDefinition.ToolPolicy policy = definition.get().tools();
        Map<String, AllowedToolView> tools = new LinkedHashMap<>();
        for (String tool : policy.allowed()) {
            tools.putIfAbsent(tool, new AllowedToolView(tool, policy.approvalRequired().contains(tool),
                    policy.constraints().getOrDefault(tool, Map.of())));
        }
        for (String tool : policy.approvalRequired()) {
            tools.putIfAbsent(tool, new AllowedToolView(tool, true, policy.constraints().getOrDefault(tool, Map.of())));
        }
        return new ArrayList<>(tools.values());
    }

    Optional<WorkflowDefinition> definition(String orgId, String workflowId, int version) {
        Key key = new Key(orgId, workflowId, version);
        WorkflowDefinition cached = cache.get(key);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<WorkflowDefinition> loaded = jdbc.query(
                        "SELECT definition FROM workflows WHERE org_id = ? AND workflow_id = ? AND version = ?",
                        (rs, row) -> json.readValue(rs.getString("definition"), WorkflowDefinition.class),
                        orgId, workflowId, version)
                .stream().findFirst();
        loaded.ifPresent(definition -> {
            if (cache.size() >= MAX_CACHED) {
                cache.clear();
            }
            cache.put(key, definition);
        });
        return loaded;
    }
}
