package io.phasegate.command.web;

import io.phasegate.command.claim.TaskClaimLookup;
import io.phasegate.command.executor.ToolExecutors;
import io.phasegate.command.idempotency.IdempotentCommands;
import io.phasegate.command.position.CommandSender;
import io.phasegate.command.tool.ToolArguments;
import io.phasegate.events.common.ErrorDetails;
import io.phasegate.events.task.ClaimTaskCommand;
import io.phasegate.events.task.PhaseTokenGrant;
import io.phasegate.events.task.RefreshPhaseTokenCommand;
import io.phasegate.events.task.ReleaseTaskCommand;
import io.phasegate.events.task.RenewTaskLeaseCommand;
import io.phasegate.events.task.TransitionOutcome;
import io.phasegate.events.task.TransitionTaskCommand;
import io.phasegate.events.tool.AuthorizeToolCallCommand;
import io.phasegate.events.tool.ReportToolOutcomeCommand;
import io.phasegate.events.tool.ToolDecision;
import io.phasegate.platform.identity.CallerIdentity;
import io.phasegate.platform.identity.Permission;
import io.phasegate.platform.phasetoken.PhaseTokenRejected;
import io.phasegate.platform.phasetoken.PhaseTokenVerifier;
import io.phasegate.platform.phasetoken.VerifiedPhaseToken;
import io.phasegate.platform.web.ApiException;
import io.phasegate.platform.web.BlockingExecutor;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.axonframework.messaging.HandlerExecutionException;
import org.springframework.http.HttpStatus;
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

/**
 * The agent endpoints of SPEC §4.1 on the command side. {@code tasks/claim} needs a user or service identity with
 * full task permission; every other endpoint authenticates with the phase token alone, verified here in full
 * (signature, {@code typ}, issuer, audience, lifetime); the Task aggregate then checks generation and claimant.
 * A bad phase token answers 401 {@code invalid_phase_token}.
 */
@RestController
class AgentController {

    private static final Pattern AGENT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}");
    private static final Pattern CAPABILITY = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final Pattern TASK_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
    private static final Pattern PHASE = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,63}");
    private static final Pattern TOOL = Pattern.compile("[A-Za-z][A-Za-z0-9_.:-]{0,127}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,63}");
    /** Claim-next tries at most this many candidates before answering that none is claimable. */
    private static final int CLAIM_CANDIDATES = 25;
    private static final Set<String> CLAIM_LOST = Set.of("task_not_claimable", "dependencies_incomplete",
            "missing_capabilities");

    private final CommandSender commands;
    private final IdempotentCommands idempotent;
    private final PhaseTokenVerifier tokens;
    private final TaskClaimLookup lookup;
    private final ToolExecutors executors;
    private final BlockingExecutor blocking;
    private final ObjectMapper json;

    AgentController(CommandSender commands, IdempotentCommands idempotent, PhaseTokenVerifier tokens,
                    TaskClaimLookup lookup, ToolExecutors executors, BlockingExecutor blocking, ObjectMapper json) {
        this.commands = commands;
        this.idempotent = idempotent;
        this.tokens = tokens;
        this.lookup = lookup;
        this.executors = executors;
        this.blocking = blocking;
        this.json = json;
    }

    // ------------------------------------------------------------------------------------------------------------
    // claim

    record ClaimRequest(String agentId, List<String> capabilities, String taskId) {
    }

    @Operation(summary = "Claim a task (the given one, or the best claimable one)")
    @ApiResponse(responseCode = "200", description = "Claimed: the task and its phase token.",
            content = @Content(mediaType = CommandResponses.JSON, schema = @Schema(implementation = CommandResponses.TaskClaim.class)))
    @ApiResponse(responseCode = "404", description = "task_not_found (task_id given) or no_claimable_task.")
    @ApiResponse(responseCode = "409", description = "task_not_claimable, dependencies_incomplete or missing_capabilities (task_id given).")
    @PostMapping(path = "/api/v1/tasks/claim", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<JsonNode>> claim(@RequestBody ClaimRequest request,
                                         @RequestHeader(name = IdempotentCommands.HEADER, required = false) String key,
                                         CallerIdentity caller) {
        Authorization.require(caller, Permission.Area.TASKS, Permission.Level.FULL);
        List<String> capabilities = request.capabilities() == null ? List.of() : request.capabilities();
        FieldProblems problems = new FieldProblems();
        problems.pattern("agent_id", request.agentId(), AGENT_ID, true);
        problems.list("capabilities", capabilities, CAPABILITY, 50);
        problems.pattern("task_id", request.taskId(), TASK_ID, false);
        problems.throwIfAny();
        return idempotent.run(caller, key, "POST /api/v1/tasks/claim " + json.writeValueAsString(request),
                () -> request.taskId() != null
                        ? claimGiven(caller.orgId(), request.agentId(), capabilities, request.taskId())
                        : blocking.call(() -> lookup.unclaimed(caller.orgId(), capabilities, CLAIM_CANDIDATES))
                                .flatMap(candidates -> claimFirst(caller.orgId(), request.agentId(), capabilities,
                                        candidates, 0)));
    }

    private Mono<ResponseEntity<Map<String, Object>>> claimGiven(String orgId, String agentId, List<String> capabilities,
                                                                 String taskId) {
        return blocking.call(() -> lookup.find(orgId, taskId))
                .flatMap(found -> found.map(entry -> claim(orgId, agentId, capabilities, entry))
                        .orElseGet(() -> Mono.error(ApiException.notFound("task_not_found", "No task " + taskId + "."))));
    }

    /** Tries the candidates in order; a candidate that another agent won meanwhile is skipped. */
    private Mono<ResponseEntity<Map<String, Object>>> claimFirst(String orgId, String agentId, List<String> capabilities,
                                                                 List<TaskClaimLookup.Entry> candidates, int index) {
        if (index >= candidates.size()) {
            return Mono.error(ApiException.notFound("no_claimable_task",
                    "No task is claimable for this agent: none is unclaimed with completed dependencies and "
                            + "capabilities the agent has."));
        }
        return claim(orgId, agentId, capabilities, candidates.get(index))
                .onErrorResume(e -> CLAIM_LOST.contains(rejectionCode(e)),
                        e -> claimFirst(orgId, agentId, capabilities, candidates, index + 1));
    }

    private Mono<ResponseEntity<Map<String, Object>>> claim(String orgId, String agentId, List<String> capabilities,
                                                            TaskClaimLookup.Entry entry) {
        return blocking.call(() -> lookup.completed(orgId, entry.dependsOn()))
                .flatMap(completed -> commands.<PhaseTokenGrant>call(new ClaimTaskCommand(entry.taskId(), orgId, agentId,
                        capabilities, completed)))
                .map(sent -> {
                    PhaseTokenGrant grant = sent.result();
                    Map<String, Object> task = new LinkedHashMap<>();
                    task.put("task_id", entry.taskId());
                    task.put("title", entry.title());
                    task.put("status", "claimed");
                    task.put("phase", entry.phase());
                    task.put("workflow_id", entry.workflowId());
                    task.put("workflow_version", entry.workflowVersion());
                    task.put("depends_on", entry.dependsOn());
                    task.put("required_capabilities", entry.requiredCapabilities());
                    task.put("priority", entry.priority());
                    task.put("claimed_by", agentId);
                    task.put("lease_expires_at", grant.leaseExpiresAt());
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("task", task);
                    body.put("phase_token", grant.token());
                    body.put("expires_at", grant.expiresAt());
                    body.put("lease_expires_at", grant.leaseExpiresAt());
                    body.put("position", sent.position());
                    return ResponseEntity.ok(body);
                });
    }

    // ------------------------------------------------------------------------------------------------------------
    // transition, refresh, heartbeat, release

    record TransitionRequest(String currentPhase, String targetPhase, String phaseToken,
                             Map<String, Object> artifacts) {
    }

    @Operation(summary = "Move the claimed task to another phase (phase token)")
    @ApiResponse(responseCode = "200", description = "allowed true with the new phase token, or false with the blockers.",
            content = @Content(mediaType = CommandResponses.JSON, schema = @Schema(implementation = CommandResponses.TransitionResult.class)))
    @ApiResponse(responseCode = "401", description = "invalid_phase_token (reason: expired, superseded, not_claimant, ...).")
    @PostMapping(path = "/api/v1/tasks/transition", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<JsonNode>> transition(@RequestBody TransitionRequest request,
                                              @RequestHeader(name = IdempotentCommands.HEADER, required = false) String key) {
        VerifiedPhaseToken token = verify(request.phaseToken());
        FieldProblems problems = new FieldProblems();
        problems.pattern("current_phase", request.currentPhase(), PHASE, true);
        problems.pattern("target_phase", request.targetPhase(), PHASE, true);
        if (request.artifacts() != null) {
            if (request.artifacts().size() > 50) {
                problems.add("artifacts", "must have at most 50 entries");
            }
            request.artifacts().keySet().forEach(name -> problems.pattern("artifacts." + name, name, NAME, true));
        }
        problems.throwIfAny();
        return idempotent.run(agentScope(token), key, "POST /api/v1/tasks/transition " + json.writeValueAsString(request),
                () -> commands.<TransitionOutcome>call(new TransitionTaskCommand(token.taskId(), token.agentId(),
                                token.generation(), token.phase(), request.currentPhase(), request.targetPhase(),
                                request.artifacts()))
                        .map(sent -> {
                            TransitionOutcome outcome = sent.result();
                            Map<String, Object> body = new LinkedHashMap<>();
                            body.put("allowed", outcome.allowed());
                            body.put("phase", outcome.phase());
                            if (outcome.allowed()) {
                                body.put("new_token", outcome.token().token());
                                body.put("expires_at", outcome.token().expiresAt());
                                body.put("warnings", outcome.warnings());
                            } else {
                                body.put("blockers", outcome.blockers());
                            }
                            body.put("position", sent.position());
                            return ResponseEntity.ok(body);
                        }));
    }

    record PhaseTokenRequest(String phaseToken) {
    }

    @Operation(summary = "Refresh the phase token")
    @ApiResponse(responseCode = "200", description = "A new phase token of the same phase.",
            content = @Content(mediaType = CommandResponses.JSON, schema = @Schema(implementation = CommandResponses.PhaseTokenRefreshed.class)))
    @ApiResponse(responseCode = "401", description = "invalid_phase_token (reason: expired, superseded, not_claimant, ...).")
    @PostMapping(path = "/api/v1/tokens/refresh", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<JsonNode>> refresh(@RequestBody PhaseTokenRequest request,
                                           @RequestHeader(name = IdempotentCommands.HEADER, required = false) String key) {
        VerifiedPhaseToken token = verify(request.phaseToken());
        return idempotent.run(agentScope(token), key, "POST /api/v1/tokens/refresh " + token.jti(),
                () -> commands.<PhaseTokenGrant>call(new RefreshPhaseTokenCommand(token.taskId(), token.agentId(),
                                token.generation()))
                        .map(sent -> ResponseEntity.ok(body("phase_token", sent.result().token(),
                                "expires_at", sent.result().expiresAt(), "position", sent.position()))));
    }

    @Operation(summary = "Renew the claim's lease")
    @ApiResponse(responseCode = "200", description = "The lease is renewed.",
            content = @Content(mediaType = CommandResponses.JSON, schema = @Schema(implementation = CommandResponses.LeaseRenewed.class)))
    @ApiResponse(responseCode = "401", description = "invalid_phase_token (reason: expired, superseded, not_claimant, ...).")
    @PostMapping(path = "/api/v1/tasks/heartbeat", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<JsonNode>> heartbeat(@RequestBody PhaseTokenRequest request,
                                             @RequestHeader(name = IdempotentCommands.HEADER, required = false) String key) {
        VerifiedPhaseToken token = verify(request.phaseToken());
        return idempotent.run(agentScope(token), key, "POST /api/v1/tasks/heartbeat " + token.jti(),
                () -> commands.<Instant>call(new RenewTaskLeaseCommand(token.taskId(), token.agentId(), token.generation()))
                        .map(sent -> ResponseEntity.ok(body("lease_expires_at", sent.result(),
                                "position", sent.position()))));
    }

    @Operation(summary = "Release the claim")
    @ApiResponse(responseCode = "200", description = "Released; the task is claimable again.",
            content = @Content(mediaType = CommandResponses.JSON, schema = @Schema(implementation = CommandResponses.TaskReleased.class)))
    @ApiResponse(responseCode = "401", description = "invalid_phase_token (reason: expired, superseded, not_claimant, ...).")
    @PostMapping(path = "/api/v1/tasks/release", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<JsonNode>> release(@RequestBody PhaseTokenRequest request,
                                           @RequestHeader(name = IdempotentCommands.HEADER, required = false) String key) {
        VerifiedPhaseToken token = verify(request.phaseToken());
        return idempotent.run(agentScope(token), key, "POST /api/v1/tasks/release " + token.jti(),
                () -> commands.call(new ReleaseTaskCommand(token.taskId(), token.agentId(), token.generation()))
                        .map(sent -> ResponseEntity.ok(body("released", true, "task_id", token.taskId(),
                                "position", sent.position()))));
    }

    // ------------------------------------------------------------------------------------------------------------
    // tools

    record ToolExecuteRequest(String phaseToken, String toolName, Map<String, Object> args) {
    }

    @Operation(summary = "Authorise (and, with an executor, run) a tool call")
    @ApiResponse(responseCode = "200", description = "Allowed (and executed when the tool has an executor).",
            content = @Content(mediaType = CommandResponses.JSON, schema = @Schema(implementation = CommandResponses.ToolExecuted.class)))
    @ApiResponse(responseCode = "401", description = "invalid_phase_token (reason: expired, superseded, not_claimant, ...).")
    @ApiResponse(responseCode = "403", description = "The policy refused the call (code tool_not_allowed, constraint_violated, approval_required, ...; with call_id, decision, approval_id).")
    @ApiResponse(responseCode = "502", description = "tool_executor_failed: authorised, but the executor failed.")
    @PostMapping(path = "/api/v1/tools/execute", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<JsonNode>> execute(@RequestBody ToolExecuteRequest request,
                                           @RequestHeader(name = IdempotentCommands.HEADER, required = false) String key) {
        VerifiedPhaseToken token = verify(request.phaseToken());
        FieldProblems problems = new FieldProblems();
        problems.pattern("tool_name", request.toolName(), TOOL, true);
        problems.throwIfAny();
        Map<String, Object> args = request.args() == null ? Map.of() : request.args();
        // the request's fingerprint for an Idempotency-Key; the digest of the arguments stands for them
        return idempotent.run(agentScope(token), key, key == null ? "" : "POST /api/v1/tools/execute "
                        + request.toolName() + " " + ToolArguments.digest(args),
                () -> execute(token, request.toolName(), args));
    }

    private Mono<ResponseEntity<Map<String, Object>>> execute(VerifiedPhaseToken token, String toolName,
                                                              Map<String, Object> args) {
        String callId = UUID.randomUUID().toString();
        AuthorizeToolCallCommand command = new AuthorizeToolCallCommand(token.taskId(), token.agentId(),
                token.generation(), token.phase(), callId, toolName, args);
        return commands.<ToolDecision>call(command).flatMap(sent -> {
            ToolDecision decision = sent.result();
            if (!decision.allowed()) {
                Map<String, Object> extra = new LinkedHashMap<>();
                extra.put("call_id", callId);
                extra.put("decision", decision.decision());
                if (decision.approvalId() != null) {
                    extra.put("approval_id", decision.approvalId());
                }
                extra.put("position", sent.position());
                return Mono.error(new ApiException(HttpStatus.FORBIDDEN, decision.code(), decision.reason(), extra));
            }
            return executors.executorOf(toolName)
                    .map(url -> executors.execute(url, callId, token.taskId(), token.agentId(), toolName, args)
                            .flatMap(execution -> commands.call(new ReportToolOutcomeCommand(token.taskId(),
                                            token.agentId(), -1, callId, "executor",
                                            execution.succeeded() ? "succeeded" : "failed",
                                            execution.succeeded() ? "executed" : execution.failure()))
                                    .then(execution.succeeded()
                                            ? Mono.just(ResponseEntity.ok(executed(callId, execution.result(), decision,
                                            sent.position())))
                                            : Mono.error(new ApiException(HttpStatus.BAD_GATEWAY, "tool_executor_failed",
                                            "The call was authorised but its executor failed: " + execution.failure()
                                                    + ".", Map.of("call_id", callId))))))
                    .orElseGet(() -> Mono.just(ResponseEntity.ok(executed(callId,
                            Map.of("status", "authorized"), decision, sent.position()))));
        });
    }

    private static Map<String, Object> executed(String callId, Object result, ToolDecision decision, long position) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("result", result);
        body.put("call_id", callId);
        if (!decision.warnings().isEmpty()) {
            body.put("warnings", decision.warnings());
        }
        if (decision.approvalId() != null) {
            body.put("approval_id", decision.approvalId());
        }
        body.put("position", position);
        return body;
    }

    record OutcomeRequest(String phaseToken, String status, String summary) {
    }

    /** The agent reports the outcome of a call it ran itself. */
    @Operation(summary = "Report the outcome of a tool call the agent ran")
    @ApiResponse(responseCode = "200", description = "Recorded.",
            content = @Content(mediaType = CommandResponses.JSON, schema = @Schema(implementation = CommandResponses.ToolOutcomeReported.class)))
    @ApiResponse(responseCode = "401", description = "invalid_phase_token (reason: expired, superseded, not_claimant, ...).")
    @ApiResponse(responseCode = "404", description = "tool_call_not_found.")
    @PostMapping(path = "/api/v1/tools/calls/{callId}/outcome", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<JsonNode>> outcome(@PathVariable String callId, @RequestBody OutcomeRequest request,
                                           @RequestHeader(name = IdempotentCommands.HEADER, required = false) String key) {
        VerifiedPhaseToken token = verify(request.phaseToken());
        FieldProblems problems = new FieldProblems();
        problems.pattern("call_id", callId, TASK_ID, true);
        if (request.summary() != null && request.summary().length() > 2000) {
            problems.add("summary", "must be at most 2000 characters");
        }
        problems.throwIfAny();
        return idempotent.run(agentScope(token), key, "POST /api/v1/tools/calls/" + callId + "/outcome "
                        + json.writeValueAsString(request),
                () -> commands.call(new ReportToolOutcomeCommand(token.taskId(), token.agentId(), token.generation(),
                                callId, "agent", request.status(), request.summary()))
                        .map(sent -> ResponseEntity.ok(body("call_id", callId, "status", request.status(),
                                "position", sent.position()))));
    }

    // ------------------------------------------------------------------------------------------------------------

    private VerifiedPhaseToken verify(String phaseToken) {
        try {
            return tokens.verify(phaseToken);
        } catch (PhaseTokenRejected e) {
            throw new ApiException(HttpStatus.UNAUTHORIZED, "invalid_phase_token", e.getMessage(),
                    Map.of("reason", e.code()));
        }
    }

    /** Idempotency keys of agent requests are scoped to the task (the phase token's), not to an organisation. */
    private static CallerIdentity agentScope(VerifiedPhaseToken token) {
        return new CallerIdentity(token.agentId(), "task:" + token.taskId(), Set.of());
    }

    private static Map<String, Object> body(Object... pairs) {
        Map<String, Object> body = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            body.put((String) pairs[i], pairs[i + 1]);
        }
        return body;
    }

    /** The domain rejection code of a failed command, or null. */
    static String rejectionCode(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof HandlerExecutionException execution) {
                return execution.getDetails().filter(ErrorDetails.class::isInstance).map(ErrorDetails.class::cast)
                        .map(ErrorDetails::code).orElse(null);
            }
        }
        return null;
    }
}
