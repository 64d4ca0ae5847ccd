package io.phasegate.query.admin;

import io.phasegate.platform.identity.CallerIdentity;
import io.phasegate.platform.identity.OperatorPolicy;
import io.phasegate.platform.web.BlockingExecutor;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * Projection administration (SPEC §3 "History and replay"):
 * <ul>
 *   <li>{@code GET /api/v1/admin/projections}: every projection with its status and progress;</li>
 *   <li>{@code GET /api/v1/admin/projections/{name}}: one;</li>
 *   <li>{@code POST /api/v1/admin/projections/{name}/rebuild}: resets it and replays the event store into it; 202
 *   with its status (poll the GET for progress).</li>
 * </ul>
 *
 * <p><b>Operator caveat.</b> Projections are global: one set of tables serves every organisation, so a rebuild
 * affects all of them (their reads see the projection refill). So only operators may use these endpoints: the
 * admins of the operator organisations ({@link OperatorPolicy}, {@code PHASEGATE_OPERATOR_ORG}); everybody else gets
 * 403.
 */
@RestController
class ProjectionAdminController {

    private final ProjectionAdmin admin;
    private final BlockingExecutor blocking;
    private final OperatorPolicy operators;

    ProjectionAdminController(ProjectionAdmin admin, BlockingExecutor blocking, OperatorPolicy operators) {
        this.admin = admin;
        this.blocking = blocking;
        this.operators = operators;
    }

    @Operation(summary = "Every projection's status (operators)")
    @ApiResponse(responseCode = "200", description = "OK.", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "403", description = "forbidden: operators only.")
    @GetMapping(path = "/api/v1/admin/projections", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ProjectionStatusView.ProjectionList> list(CallerIdentity caller) {
        requireOperator(caller);
        return blocking.call(admin::list);
    }

    @Operation(summary = "A projection's status (operators)")
    @ApiResponse(responseCode = "200", description = "OK.", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "403", description = "forbidden: operators only.")
    @ApiResponse(responseCode = "404", description = "projection_not_found.")
    @GetMapping(path = "/api/v1/admin/projections/{name}", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ProjectionStatusView> status(@PathVariable String name, CallerIdentity caller) {
        requireOperator(caller);
        return blocking.call(() -> admin.status(name));
    }

    @Operation(summary = "Rebuild a projection (operators)")
    @ApiResponse(responseCode = "202", description = "Accepted; poll the GET for progress.", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "403", description = "forbidden: operators only.")
    @ApiResponse(responseCode = "404", description = "projection_not_found.")
    @ApiResponse(responseCode = "409", description = "projection_not_resettable, rebuild_in_progress or projection_claimed_elsewhere.")
    @PostMapping(path = "/api/v1/admin/projections/{name}/rebuild", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<ProjectionStatusView>> rebuild(@PathVariable String name, CallerIdentity caller) {
        requireOperator(caller);
        return blocking.call(() -> admin.rebuild(name, caller))
                .map(status -> ResponseEntity.status(HttpStatus.ACCEPTED)
                        .location(URI.create("/api/v1/admin/projections/" + status.name()))
                        .body(status));
    }

    private void requireOperator(CallerIdentity caller) {
        operators.require(caller);
    }
}
