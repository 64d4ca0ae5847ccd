package io.phasegate.command.web;

import io.phasegate.command.idempotency.IdempotentCommands;
import io.phasegate.command.position.CommandSender;
import io.phasegate.command.workflow.DocumentFormat;
import io.phasegate.command.workflow.InvalidWorkflowException;
import io.phasegate.command.workflow.WorkflowDefinitionParser;
import io.phasegate.command.workflow.WorkflowProblem;
import io.phasegate.events.workflow.PublishWorkflowCommand;
import io.phasegate.events.workflow.WorkflowDefinition;
import io.phasegate.events.workflow.WorkflowKeys;
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
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/** {@code PUT /api/v1/workflows/{id}}: publish a workflow version, as YAML or JSON. */
@RestController
class WorkflowCommandController {

    private static final List<MediaType> YAML = List.of(MediaType.parseMediaType("application/yaml"),
            MediaType.parseMediaType("application/x-yaml"), MediaType.parseMediaType("text/yaml"));

    private final WorkflowDefinitionParser parser = new WorkflowDefinitionParser();
    private final CommandSender commands;
    private final IdempotentCommands idempotent;

    WorkflowCommandController(CommandSender commands, IdempotentCommands idempotent) {
        this.commands = commands;
        this.idempotent = idempotent;
    }

    @Schema(requiredProperties = {"workflow_id", "version", "position"})
    record PublishedWorkflow(String workflowId, int version, long position) {
    }

    @Operation(summary = "Publish a workflow version (YAML or JSON)")
    @ApiResponse(responseCode = "201", description = "Published; Location names the version.",
            content = @Content(mediaType = CommandResponses.JSON, schema = @Schema(implementation = PublishedWorkflow.class)))
    @ApiResponse(responseCode = "409", description = "workflow_version_not_higher.")
    @ApiResponse(responseCode = "422", description = "invalid_workflow (with problems[]).")
    @PutMapping(path = "/api/v1/workflows/{workflowId}",
            consumes = {"application/yaml", "application/x-yaml", "text/yaml", "application/json"},
            produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<JsonNode>> publish(@PathVariable String workflowId,
                                           @RequestHeader(HttpHeaders.CONTENT_TYPE) MediaType contentType,
                                           @RequestHeader(name = IdempotentCommands.HEADER, required = false) String key,
                                           @RequestBody String document,
                                           CallerIdentity caller) {
        Authorization.require(caller, Permission.Area.TASKS, Permission.Level.FULL);
        DocumentFormat format = YAML.stream().anyMatch(contentType::isCompatibleWith) ? DocumentFormat.YAML
                : DocumentFormat.JSON;
        WorkflowDefinition definition = parse(document, format);
        if (!definition.id().equals(workflowId)) {
            throw invalid(List.of(new WorkflowProblem("/workflow",
                    "the document's workflow id '" + definition.id() + "' differs from the id '" + workflowId
                            + "' in the path")));
        }
        PublishWorkflowCommand command = new PublishWorkflowCommand(WorkflowKeys.of(caller.orgId(), workflowId),
                caller.orgId(), definition, document, caller.subject());
        return idempotent.run(caller, key, "PUT /api/v1/workflows/" + workflowId + " " + document,
                () -> commands.send(command).map(position -> ResponseEntity
                        .created(URI.create("/api/v1/workflows/" + workflowId + "?version=" + definition.version()))
                        .body(new PublishedWorkflow(workflowId, definition.version(), position))));
    }

    private WorkflowDefinition parse(String document, DocumentFormat format) {
        try {
            return parser.parse(document, format);
        } catch (InvalidWorkflowException e) {
            throw invalid(e.problems());
        }
    }

    private static ApiException invalid(List<WorkflowProblem> problems) {
        return new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "invalid_workflow",
                "The workflow definition has " + problems.size() + (problems.size() == 1 ? " problem." : " problems."),
                Map.of("problems", problems.stream()
                        .map(p -> Map.of("path", p.path(), "message", p.message())).toList()));
    }
}
