package io.phasegate.query.web;

import io.phasegate.events.tool.FindToolCallsQuery;
import io.phasegate.events.tool.ToolCallPage;
import io.phasegate.events.tool.ToolDecision;
import io.phasegate.platform.identity.CallerIdentity;
import io.phasegate.platform.identity.Permission;
import io.phasegate.platform.web.ApiException;
import io.phasegate.query.tool.ToolCallProjection;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.util.Set;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * {@code GET /api/v1/tool-calls?task_id&agent_id&decision&after&limit}: the caller's organisation's tool-call log,
 * newest first, {@code {"items": [...], "next_cursor": "..."}}.
 */
@RestController
class ToolCallQueryController {

    private static final Set<String> DECISIONS = Set.of(ToolDecision.ALLOWED, ToolDecision.DENIED,
            ToolDecision.APPROVAL_REQUIRED);

    private final QuerySender queries;

    ToolCallQueryController(QuerySender queries) {
        this.queries = queries;
    }

    @Operation(summary = "The tool-call log, newest first")
    @ApiResponse(responseCode = "200", description = "OK.", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "400", description = "invalid_parameter.")
    @GetMapping(path = "/api/v1/tool-calls", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ToolCallPage> list(@RequestParam(name = "task_id", required = false) String taskId,
                            @RequestParam(name = "agent_id", required = false) String agentId,
                            @RequestParam(name = "decision", required = false) String decision,
                            @RequestParam(name = "after", required = false) String after,
                            @RequestParam(name = "limit", defaultValue = "50") int limit,
                            @RequestParam(name = "min_position", required = false) Long minPosition,
                            CallerIdentity caller) {
        QueryParams.requireRead(caller, Permission.Area.TASKS);
        if (decision != null && !DECISIONS.contains(decision)) {
            throw ApiException.badRequest("invalid_parameter", "decision must be one of " + DECISIONS + ".");
        }
        QueryParams.requireLimit(limit);
        QueryParams.requireCursor(after);
        return queries.one(ToolCallProjection.GROUP, minPosition,
                new FindToolCallsQuery(caller.orgId(), taskId, agentId, decision, after, limit), ToolCallPage.class);
    }
}
