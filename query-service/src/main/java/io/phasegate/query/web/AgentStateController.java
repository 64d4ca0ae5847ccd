package io.phasegate.query.web;

import io.phasegate.events.task.AgentSnapshotView;
import io.phasegate.events.task.FindAgentSnapshotQuery;
import io.phasegate.events.task.FindTaskClaimStateQuery;
import io.phasegate.events.task.TaskClaimStateView;
import io.phasegate.events.task.TaskStatus;
import io.phasegate.platform.identity.CallerIdentity;
import io.phasegate.platform.phasetoken.PhaseTokenRejected;
import io.phasegate.platform.phasetoken.PhaseTokenVerifier;
import io.phasegate.platform.phasetoken.VerifiedPhaseToken;
import io.phasegate.platform.web.ApiException;
import io.phasegate.platform.web.BlockingExecutor;
import io.phasegate.query.position.ProjectionPositions;
import io.phasegate.query.task.TaskProjection;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * {@code GET /api/v1/state/snapshot} (SPEC §4.1, fixed contract): the agent presents its phase token as
 * {@code Authorization: Bearer <phase_token>} and gets its task, the task's dependencies, the completed tasks of the
 * same project (most recently completed first, at most {@value AgentSnapshotView#MAX_COMPLETED_TASKS}) and the
 * blockers of its last rejected transition.
 *
 * <p>The gateway forwards this endpoint with the phase-token bearer identity: the phase token is the credential.
 * It is verified (signature with command-service's published keys, {@code typ}, issuer, audience, lifetime) and
 * then checked against the task read model: the task exists, is claimed by the token's {@code sub}, and its token
 * generation equals the token's {@code gen}. A task whose projected generation is lower than the token's means the
 * read model is behind (the token was issued by an event it has not processed yet): the check waits until the task
 * projection has caught up with the event store's head (bounded by {@code phasegate.query.max-wait-ms}; 503
 * {@code position_not_reached} beyond) and is repeated. Every refusal is 401 {@code invalid_phase_token} with a
 * {@code reason}: the verifier's ({@code expired}, {@code wrong_type}, {@code unknown_key}, {@code bad_signature}, ...)
 * or {@code missing_token}, {@code unknown_task}, {@code superseded}, {@code not_claimed}, {@code not_claimant}.
 */
@RestController
class AgentStateController {

    static final String INVALID_PHASE_TOKEN = "invalid_phase_token";
    private static final String BEARER = "bearer ";

    private final QuerySender queries;
    private final ProjectionPositions positions;
    private final PhaseTokenVerifier verifier;
    private final BlockingExecutor blocking;

    AgentStateController(QuerySender queries, ProjectionPositions positions, PhaseTokenVerifier verifier,
                         BlockingExecutor blocking) {
        this.queries = queries;
        this.positions = positions;
        this.verifier = verifier;
        this.blocking = blocking;
    }

    @Operation(summary = "The agent's snapshot (Authorization: Bearer <phase_token>)")
    @ApiResponse(responseCode = "200", description = "OK.", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "401", description = "invalid_phase_token (reason: missing_token, expired, superseded, not_claimed, not_claimant, ...).")
    @GetMapping(path = "/api/v1/state/snapshot", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<AgentSnapshotView> snapshot(@RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorization,
                                     CallerIdentity caller) {
        // caller: the request passed the gateway (normally as the phase-token bearer); the phase token decides the
        // task and with it the organisation
        String token = bearerToken(authorization);
        // verifying may fetch the key set (blocking HTTP): never on the event loop
        return blocking.call(() -> verifier.verify(token))
                .onErrorMap(PhaseTokenRejected.class, rejected -> invalid(rejected.code(), rejected.getMessage()))
                .flatMap(this::currentClaim)
                .flatMap(claim -> queries.optional(TaskProjection.GROUP, null,
                        new FindAgentSnapshotQuery(claim.orgId(), claim.taskId()), AgentSnapshotView.class))
                .switchIfEmpty(Mono.error(() -> invalid("unknown_task", "The phase token's task does not exist.")));
    }

    /** The task's claim state once it is at least as new as the token, checked against it. */
    private Mono<TaskClaimStateView> currentClaim(VerifiedPhaseToken token) {
        return claimState(token.taskId())
                .flatMap(state -> behind(state, token)
                        ? positions.awaitHead(TaskProjection.GROUP).then(claimState(token.taskId()))
                        : Mono.just(state))
                .map(state -> check(state.orElseThrow(() ->
                        invalid("unknown_task", "The phase token's task does not exist.")), token));
    }

    private Mono<Optional<TaskClaimStateView>> claimState(String taskId) {
        return queries.optional(TaskProjection.GROUP, null, new FindTaskClaimStateQuery(taskId),
                        TaskClaimStateView.class)
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty());
    }

    private static boolean behind(Optional<TaskClaimStateView> state, VerifiedPhaseToken token) {
        return state.isEmpty() || state.get().tokenGeneration() < token.generation();
    }

    private static TaskClaimStateView check(TaskClaimStateView state, VerifiedPhaseToken token) {
        if (state.tokenGeneration() != token.generation()) {
            // lower: a newer token was issued (claim, transition, refresh); higher after catching up: never issued
            throw invalid("superseded", "The phase token is not the task's current token.");
        }
        if (!TaskStatus.CLAIMED.wire().equals(state.status())) {
            throw invalid("not_claimed", "The phase token's task is no longer claimed.");
        }
        if (!token.agentId().equals(state.claimedBy())) {
            throw invalid("not_claimant", "The phase token's agent does not hold the task's claim.");
        }
        return state;
    }

    private static String bearerToken(String authorization) {
        if (authorization == null || authorization.length() <= BEARER.length()
                || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            throw invalid("missing_token", "Present the phase token as 'Authorization: Bearer <phase_token>'.");
        }
        return authorization.substring(BEARER.length()).trim();
    }

    static ApiException invalid(String reason, String detail) {
        return new ApiException(HttpStatus.UNAUTHORIZED, INVALID_PHASE_TOKEN, detail, Map.of("reason", reason));
    }
}
