package io.phasegate.query.web;

import io.phasegate.events.task.FindWorkflowMetricsQuery;
import io.phasegate.events.task.WorkflowMetricsView;
import io.phasegate.events.workflow.FindWorkflowQuery;
import io.phasegate.events.workflow.FindWorkflowsQuery;
import io.phasegate.events.workflow.WorkflowList;
import io.phasegate.events.workflow.WorkflowView;
import io.phasegate.platform.identity.CallerIdentity;
import io.phasegate.platform.identity.Permission;
import io.phasegate.platform.web.ApiException;
import io.phasegate.query.metrics.WorkflowMetricsProjection;
import io.phasegate.query.workflow.WorkflowProjection;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * {@code GET /api/v1/workflows}, {@code GET /api/v1/workflows/{id}[?version=n]} and
 * {@code GET /api/v1/workflows/{id}/metrics}.
 */
@RestController
class WorkflowQueryController {

    private final QuerySender queries;

    WorkflowQueryController(QuerySender queries) {
        this.queries = queries;
    }

    @Operation(summary = "A workflow (the latest or the given version)")
    @ApiResponse(responseCode = "200", description = "OK.", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", description = "workflow_not_found.")
    @GetMapping(path = "/api/v1/workflows/{workflowId}", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<WorkflowView> get(@PathVariable String workflowId,
                           @RequestParam(name = "version", required = false) Integer version,
                           @RequestParam(name = "min_position", required = false) Long minPosition,
                           CallerIdentity caller) {
        QueryParams.requireRead(caller, Permission.Area.TASKS);
        return queries.optional(WorkflowProjection.GROUP, minPosition,
                        new FindWorkflowQuery(caller.orgId(), workflowId, version), WorkflowView.class)
                .switchIfEmpty(Mono.error(() -> ApiException.notFound("workflow_not_found",
                        "No workflow " + workflowId + (version == null ? "" : " version " + version) + ".")));
    }

    @Operation(summary = "List workflows")
    @ApiResponse(responseCode = "200", description = "OK.", useReturnTypeSchema = true)
    @GetMapping(path = "/api/v1/workflows", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<WorkflowList> list(@RequestParam(name = "min_position", required = false) Long minPosition,
                            CallerIdentity caller) {
        QueryParams.requireRead(caller, Permission.Area.TASKS);
        return queries.one(WorkflowProjection.GROUP, minPosition, new FindWorkflowsQuery(caller.orgId()),
                WorkflowList.class);
    }

    /** Gate block rate and tool violation rate of a workflow (all versions); 404 for a workflow never seen. */
    @Operation(summary = "Gate block and tool violation rates of a workflow")
    @ApiResponse(responseCode = "200", description = "OK.", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", description = "workflow_not_found.")
    @GetMapping(path = "/api/v1/workflows/{workflowId}/metrics", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<WorkflowMetricsView> metrics(@PathVariable String workflowId,
                                      @RequestParam(name = "min_position", required = false) Long minPosition,
                                      CallerIdentity caller) {
        QueryParams.requireRead(caller, Permission.Area.TASKS);
        return queries.optional(WorkflowMetricsProjection.GROUP, minPosition,
                        new FindWorkflowMetricsQuery(caller.orgId(), workflowId), WorkflowMetricsView.class)
                .switchIfEmpty(Mono.error(() -> ApiException.notFound("workflow_not_found",
                        "No workflow " + workflowId + ".")));
    }
}
