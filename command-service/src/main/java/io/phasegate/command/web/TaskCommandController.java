package io.phasegate.command.web;

import io.phasegate.command.idempotency.IdempotentCommands;
import io.phasegate.command.position.CommandSender;
import io.phasegate.events.task.CancelTaskCommand;
import io.phasegate.events.task.CreateTaskCommand;
import io.phasegate.events.task.SubmitReviewCommand;
import io.phasegate.events.tool.DecideToolApprovalCommand;
import io.phasegate.platform.identity.CallerIdentity;
import io.phasegate.platform.identity.Permission;
import io.phasegate.platform.web.ApiException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** Human and service endpoints that change tasks. */
@RestController
class TaskCommandController {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
    private static final Pattern CAPABILITY = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    private final CommandSender commands;
    private final IdempotentCommands idempotent;
    private final ObjectMapper json;

    TaskCommandController(CommandSender commands, IdempotentCommands idempotent, ObjectMapper json) {
        this.commands = commands;
        this.idempotent = idempotent;
        this.json = json;
    }

    /** Request body of {@code POST /api/v1/tasks}; unknown fields are rejected. */
    record CreateTaskRequest(String title, String description, String projectId, String workflowId,
                             Integer workflowVersion, List<String> dependsOn, List<String> requiredCapabilities,
                             Integer priority) {
    }

    @Schema(requiredProperties = {"task_id", "position"})
    record CreatedTask(String taskId, long position) {
    }

    @Operation(summary = "Create a task")
    @ApiResponse(responseCode = "201", description = "Created; Location names the task.",
            content = @Content(mediaType = CommandResponses.JSON, schema = @Schema(implementation = CreatedTask.class)))
    @ApiResponse(responseCode = "400", description = "validation_failed: problems[] names the fields.")
    @ApiResponse(responseCode = "422", description = "unknown_workflow or unknown_dependency.")
    @PostMapping(path = "/api/v1/tasks", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<JsonNode>> create(@RequestBody CreateTaskRequest request,
                                          @RequestHeader(name = IdempotentCommands.HEADER, required = false) String key,
                                          CallerIdentity caller) {
        Authorization.require(caller, Permission.Area.TASKS, Permission.Level.FULL);
        validate(request);
        return idempotent.run(caller, key, "POST /api/v1/tasks " + json.writeValueAsString(request),
                () -> create(request, caller));
    }

    private Mono<ResponseEntity<CreatedTask>> create(CreateTaskRequest request, CallerIdentity caller) {
        String taskId = UUID.randomUUID().toString();
        CreateTaskCommand command = new CreateTaskCommand(taskId, caller.orgId(),
                request.projectId() == null ? "default" : request.projectId(), request.title().strip(),
                request.description(), request.workflowId(), request.workflowVersion(), request.dependsOn(),
                request.requiredCapabilities(), request.priority() == null ? 0 : request.priority(),
                caller.subject());
        return commands.send(command).map(position -> ResponseEntity
                .created(URI.create("/api/v1/tasks/" + taskId))
                .body(new CreatedTask(taskId, position)));
    }

    record CancelTaskRequest(String reason) {
    }

    @Operation(summary = "Cancel a task")
    @ApiResponse(responseCode = "200", description = "Cancelled.",
            content = @Content(mediaType = CommandResponses.JSON, schema = @Schema(implementation = CommandResponses.TaskCancelled.class)))
    @ApiResponse(responseCode = "404", description = "task_not_found.")
    @ApiResponse(responseCode = "409", description = "task_not_cancellable.")
    @PostMapping(path = "/api/v1/tasks/{taskId}/cancel", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<JsonNode>> cancel(@PathVariable String taskId, @RequestBody CancelTaskRequest request,
                                          @RequestHeader(name = IdempotentCommands.HEADER, required = false) String key,
                                          CallerIdentity caller) {
        Authorization.require(caller, Permission.Area.TASKS, Permission.Level.FULL);
        requireId(taskId);
        if (request.reason() != null && request.reason().length() > 2000) {
            throw FieldProblems.single("reason", "must be at most 2000 characters");
        }
        return idempotent.run(caller, key, "POST /api/v1/tasks/" + taskId + "/cancel " + json.writeValueAsString(request),
                () -> commands.send(new CancelTaskCommand(taskId, caller.orgId(), request.reason(), caller.subject()))
                        .map(position -> ResponseEntity.ok(Map.of("task_id", taskId, "status", "cancelled",
                                "position", position))));
    }

    record ReviewRequest(String verdict, String comments) {
    }

    /** A reviewer (holding the role the phase's {@code request_reviews} names) submits a verdict. */
    @Operation(summary = "Submit a review verdict")
    @ApiResponse(responseCode = "201", description = "The review is recorded.",
            content = @Content(mediaType = CommandResponses.JSON, schema = @Schema(implementation = CommandResponses.ReviewSubmitted.class)))
    @ApiResponse(responseCode = "403", description = "reviewer_role_required or self_review.")
    @ApiResponse(responseCode = "404", description = "task_not_found.")
    @ApiResponse(responseCode = "409", description = "no_review_requested or already_reviewed.")
    @PostMapping(path = "/api/v1/tasks/{taskId}/reviews", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<JsonNode>> review(@PathVariable String taskId, @RequestBody ReviewRequest request,
                                          @RequestHeader(name = IdempotentCommands.HEADER, required = false) String key,
                                          CallerIdentity caller) {
        Authorization.require(caller, Permission.Area.TASKS, Permission.Level.READ);
        requireId(taskId);
        if (request.verdict() == null || !VERDICTS.contains(request.verdict())) {
            throw FieldProblems.single("verdict", "must be one of " + VERDICTS);
        }
        if (request.comments() != null && request.comments().length() > 20_000) {
            throw FieldProblems.single("comments", "must be at most 20000 characters");
        }
        return idempotent.run(caller, key, "POST /api/v1/tasks/" + taskId + "/reviews " + json.writeValueAsString(request),
                () -> commands.<String>call(new SubmitReviewCommand(taskId, caller.orgId(), caller.subject(),
                                caller.roles(), request.verdict(), request.comments()))
                        .map(sent -> ResponseEntity.created(URI.create("/api/v1/tasks/" + taskId))
                                .body(Map.of("review_id", sent.result(), "task_id", taskId, "verdict", request.verdict(),
                                        "position", sent.position()))));
    }

    record ApprovalDecisionRequest(String comment) {
    }

    /** A human grants an approval a tool call waits for ({@code approval_required}). */
    @Operation(summary = "Grant a tool approval")
    @ApiResponse(responseCode = "200", description = "Granted.",
            content = @Content(mediaType = CommandResponses.JSON, schema = @Schema(implementation = CommandResponses.ApprovalDecided.class)))
    @ApiResponse(responseCode = "403", description = "approver_role_required or self_approval.")
    @ApiResponse(responseCode = "404", description = "task_not_found or approval_not_found.")
    @ApiResponse(responseCode = "409", description = "approval_already_decided.")
    @PostMapping(path = "/api/v1/tasks/{taskId}/approvals/{approvalId}/grant", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<JsonNode>> grant(@PathVariable String taskId, @PathVariable String approvalId,
                                         @RequestBody ApprovalDecisionRequest request,
                                         @RequestHeader(name = IdempotentCommands.HEADER, required = false) String key,
                                         CallerIdentity caller) {
        return decide(taskId, approvalId, true, request, key, caller);
    }

    /** A human denies an approval a tool call waits for. */
    @Operation(summary = "Deny a tool approval")
    @ApiResponse(responseCode = "200", description = "Denied.",
            content = @Content(mediaType = CommandResponses.JSON, schema = @Schema(implementation = CommandResponses.ApprovalDecided.class)))
    @ApiResponse(responseCode = "403", description = "approver_role_required or self_approval.")
    @ApiResponse(responseCode = "404", description = "task_not_found or approval_not_found.")
    @ApiResponse(responseCode = "409", description = "approval_already_decided.")
    @PostMapping(path = "/api/v1/tasks/{taskId}/approvals/{approvalId}/deny", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<JsonNode>> deny(@PathVariable String taskId, @PathVariable String approvalId,
                                        @RequestBody ApprovalDecisionRequest request,
                                        @RequestHeader(name = IdempotentCommands.HEADER, required = false) String key,
                                        CallerIdentity caller) {
        return decide(taskId, approvalId, false, request, key, caller);
    }

    private Mono<ResponseEntity<JsonNode>> decide(String taskId, String approvalId, boolean grant,
                                                  ApprovalDecisionRequest request, String key, CallerIdentity caller) {
        Authorization.require(caller, Permission.Area.TASKS, Permission.Level.FULL);
        requireId(taskId);
        requireId(approvalId);
        if (request.comment() != null && request.comment().length() > 2000) {
            throw FieldProblems.single("comment", "must be at most 2000 characters");
        }
        String decision = grant ? "granted" : "denied";
        return idempotent.run(caller, key, "POST /api/v1/tasks/" + taskId + "/approvals/" + approvalId + "/" + decision
                        + " " + json.writeValueAsString(request),
                () -> commands.send(new DecideToolApprovalCommand(taskId, caller.orgId(), approvalId, grant,
                                caller.subject(), caller.roles(), request.comment()))
                        .map(position -> ResponseEntity.ok(Map.of("approval_id", approvalId, "task_id", taskId,
                                "status", decision, "position", position))));
    }

    private static final List<String> VERDICTS = List.of("approve", "changes_requested");

    private static void requireId(String id) {
        if (!ID.matcher(id).matches()) {
            throw ApiException.notFound("not_found", "No such resource.");
        }
    }

    private static void validate(CreateTaskRequest request) {
        FieldProblems problems = new FieldProblems();
        if (request.title() == null || request.title().isBlank()) {
            problems.add("title", "is required");
        } else if (request.title().length() > 500) {
            problems.add("title", "must be at most 500 characters");
        }
        if (request.description() != null && request.description().length() > 20_000) {
            problems.add("description", "must be at most 20000 characters");
        }
        if (request.workflowId() == null || request.workflowId().isBlank()) {
            problems.add("workflow_id", "is required");
        }
        problems.pattern("project_id", request.projectId(), ID, false);
        if (request.workflowVersion() != null && request.workflowVersion() < 1) {
            problems.add("workflow_version", "must be at least 1");
        }
        if (request.priority() != null && (request.priority() < -1000 || request.priority() > 1000)) {
            problems.add("priority", "must be between -1000 and 1000");
        }
        problems.list("depends_on", request.dependsOn(), ID, 100);
        problems.list("required_capabilities", request.requiredCapabilities(), CAPABILITY, 50);
        problems.throwIfAny();
    }
}
