package io.phasegate.query.web;

import io.phasegate.events.task.FindTaskQuery;
import io.phasegate.events.task.FindTasksQuery;
import io.phasegate.events.task.TaskPage;
import io.phasegate.events.task.TaskView;
import io.phasegate.platform.identity.CallerIdentity;
import io.phasegate.platform.identity.Permission;
import io.phasegate.platform.web.ApiException;
import io.phasegate.query.task.TaskProjection;
import java.util.Set;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** {@code GET /api/v1/tasks} and {@code GET /api/v1/tasks/{id}}, scoped to the caller's organisation. */
@RestController
class TaskQueryController {

    private static final Set<String> STATUSES = Set.of("created", "claimed", "completed", "cancelled");

    private final QuerySender queries;

    TaskQueryController(QuerySender queries) {
        this.queries = queries;
    }

    @GetMapping(path = "/api/v1/tasks/{taskId}", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<TaskView> get(@PathVariable String taskId, @RequestParam(name = "min_position", required = false) Long minPosition,
                       CallerIdentity caller) {
        QueryParams.requireRead(caller, Permission.Area.TASKS);
        return queries.optional(TaskProjection.GROUP, minPosition, new FindTaskQuery(caller.orgId(), taskId), TaskView.class)
                .switchIfEmpty(Mono.error(() -> ApiException.notFound("task_not_found", "No task " + taskId + ".")));
    }

    @GetMapping(path = "/api/v1/tasks", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<TaskPage> list(@RequestParam(name = "project_id", required = false) String projectId,
                        @RequestParam(name = "status", required = false) String status,
                        @RequestParam(name = "workflow_id", required = false) String workflowId,
                        @RequestParam(name = "after", required = false) String after,
                        @RequestParam(name = "limit", defaultValue = "50") int limit,
                        @RequestParam(name = "min_position", required = false) Long minPosition,
                        CallerIdentity caller) {
        QueryParams.requireRead(caller, Permission.Area.TASKS);
        if (status != null && !STATUSES.contains(status)) {
            throw ApiException.badRequest("invalid_parameter", "status must be one of " + STATUSES + ".");
        }
        if (limit < 1 || limit > 200) {
            throw ApiException.badRequest("invalid_parameter", "limit must be between 1 and 200.");
        }
        if (after != null && !after.matches("\\d{1,18}")) {
            throw ApiException.badRequest("invalid_parameter", "after must be a cursor returned as next_cursor.");
        }
        return queries.one(TaskProjection.GROUP, minPosition,
                new FindTasksQuery(caller.orgId(), projectId, status, workflowId, after, limit), TaskPage.class);
    }
}
