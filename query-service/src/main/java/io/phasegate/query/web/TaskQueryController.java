package io.phasegate.query.web;

import io.phasegate.events.task.ClaimableTaskList;
import io.phasegate.events.task.FindClaimableTasksQuery;
import io.phasegate.events.task.FindTaskQuery;
import io.phasegate.events.task.FindTaskReviewsQuery;
import io.phasegate.events.task.ReviewRoundList;
import io.phasegate.events.task.FindTasksQuery;
import io.phasegate.events.task.TaskPage;
import io.phasegate.events.task.TaskView;
import io.phasegate.events.tool.FindTaskApprovalsQuery;
import io.phasegate.events.tool.ToolApprovalList;
import io.phasegate.events.tool.ToolApprovalView;
import io.phasegate.platform.identity.CallerIdentity;
import io.phasegate.platform.identity.Permission;
import io.phasegate.platform.web.ApiException;
import io.phasegate.query.task.TaskProjection;
import io.phasegate.query.workflow.WorkflowProjection;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.util.List;
import java.util.Set;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * {@code GET /api/v1/tasks}, {@code GET /api/v1/tasks/{id}}, {@code GET /api/v1/tasks/claimable},
 * {@code GET /api/v1/tasks/{id}/reviews} and {@code GET /api/v1/tasks/{id}/approvals}, scoped to the caller's
 * organisation.
 */
@RestController
class TaskQueryController {

    private static final Set<String> STATUSES = Set.of("created", "claimed", "completed", "cancelled");
    private static final Set<String> APPROVAL_STATUSES = Set.of(ToolApprovalView.PENDING, ToolApprovalView.GRANTED,
            ToolApprovalView.DENIED);

    /**
     * Task views join the task read model with the workflow read model (the current phase's tools): a
     * {@code min_position} waits for both.
     */
    static final List<String> TASK_VIEW_GROUPS = List.of(TaskProjection.GROUP, WorkflowProjection.GROUP);

    private final QuerySender queries;

    TaskQueryController(QuerySender queries) {
        this.queries = queries;
    }

    @Operation(summary = "A task")
    @ApiResponse(responseCode = "200", description = "OK.", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", description = "task_not_found (also another organisation's).")
    @GetMapping(path = "/api/v1/tasks/{taskId}", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<TaskView> get(@PathVariable String taskId, @RequestParam(name = "min_position", required = false) Long minPosition,
                       CallerIdentity caller) {
        QueryParams.requireRead(caller, Permission.Area.TASKS);
        return queries.optional(TASK_VIEW_GROUPS, minPosition, new FindTaskQuery(caller.orgId(), taskId), TaskView.class)
                .switchIfEmpty(Mono.error(() -> ApiException.notFound("task_not_found", "No task " + taskId + ".")));
    }

    @Operation(summary = "List tasks")
    @ApiResponse(responseCode = "200", description = "OK.", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "400", description = "invalid_parameter.")
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
        return queries.one(TASK_VIEW_GROUPS, minPosition,
                new FindTasksQuery(caller.orgId(), projectId, status, workflowId, after, limit), TaskPage.class);
    }

    /**
     * Tasks an agent could claim now: {@code created}, all dependencies completed and, when {@code capabilities}
     * (comma-separated) is given, every required capability among them; highest priority first, then oldest.
     */
    @Operation(summary = "Tasks an agent could claim now")
    @ApiResponse(responseCode = "200", description = "OK.", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "400", description = "invalid_parameter.")
    @GetMapping(path = "/api/v1/tasks/claimable", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ClaimableTaskList> claimable(@RequestParam(name = "capabilities", required = false) String capabilities,
                                      @RequestParam(name = "project_id", required = false) String projectId,
                                      @RequestParam(name = "limit", defaultValue = "20") int limit,
                                      @RequestParam(name = "min_position", required = false) Long minPosition,
                                      CallerIdentity caller) {
        QueryParams.requireRead(caller, Permission.Area.TASKS);
        QueryParams.requireLimit(limit);
        return queries.one(TASK_VIEW_GROUPS, minPosition, new FindClaimableTasksQuery(caller.orgId(), projectId,
                QueryParams.capabilities(capabilities), limit), ClaimableTaskList.class);
    }

    /** Every review round of the task, oldest first: {@code {"items": [{round, phase, requested_count, ...}]}}. */
    @Operation(summary = "A task's review rounds")
    @ApiResponse(responseCode = "200", description = "OK.", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", description = "task_not_found.")
    @GetMapping(path = "/api/v1/tasks/{taskId}/reviews", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ReviewRoundList> reviews(@PathVariable String taskId,
                                  @RequestParam(name = "min_position", required = false) Long minPosition,
                                  CallerIdentity caller) {
        QueryParams.requireRead(caller, Permission.Area.TASKS);
        return queries.optional(TaskProjection.GROUP, minPosition, new FindTaskReviewsQuery(caller.orgId(), taskId),
                        ReviewRoundList.class)
                .switchIfEmpty(Mono.error(() -> ApiException.notFound("task_not_found", "No task " + taskId + ".")));
    }

    /** The task's tool approvals, oldest first, optionally of one {@code status}: {@code {"items": [...]}}. */
    @Operation(summary = "A task's tool approvals")
    @ApiResponse(responseCode = "200", description = "OK.", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", description = "task_not_found.")
    @GetMapping(path = "/api/v1/tasks/{taskId}/approvals", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ToolApprovalList> approvals(@PathVariable String taskId,
                                     @RequestParam(name = "status", required = false) String status,
                                     @RequestParam(name = "min_position", required = false) Long minPosition,
                                     CallerIdentity caller) {
        QueryParams.requireRead(caller, Permission.Area.TASKS);
        if (status != null && !APPROVAL_STATUSES.contains(status)) {
            throw ApiException.badRequest("invalid_parameter", "status must be one of " + APPROVAL_STATUSES + ".");
        }
        return queries.optional(TaskProjection.GROUP, minPosition,
                        new FindTaskApprovalsQuery(caller.orgId(), taskId, status), ToolApprovalList.class)
                .switchIfEmpty(Mono.error(() -> ApiException.notFound("task_not_found", "No task " + taskId + ".")));
    }
}
