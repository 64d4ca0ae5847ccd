package io.phasegate.query.web;

import io.phasegate.events.dock.DockList;
import io.phasegate.events.dock.DockView;
import io.phasegate.events.dock.FindDockQuery;
import io.phasegate.events.dock.FindDocksQuery;
import io.phasegate.events.resource.FindProvisionStatusQuery;
import io.phasegate.events.resource.FindProvisioningOperationsQuery;
import io.phasegate.events.resource.FindResourceQuery;
import io.phasegate.events.resource.FindResourcesQuery;
import io.phasegate.events.resource.ProvisionStatusView;
import io.phasegate.events.resource.ProvisioningOperationPage;
import io.phasegate.events.resource.ProvisioningOperationView;
import io.phasegate.events.resource.ResourceState;
import io.phasegate.events.resource.ResourceType;
import io.phasegate.events.resource.ResourceView;
import io.phasegate.platform.identity.CallerIdentity;
import io.phasegate.platform.identity.Permission;
import io.phasegate.platform.web.ApiException;
import io.phasegate.query.provisioning.DockProjection;
import io.phasegate.query.provisioning.ResourceProjection;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * The provisioning read models (SPEC §3 "Provisioning status"), all {@code GET}, {@code provisioning: read}, scoped to
 * the caller's organisation (another organisation's ids answer 404), each accepting {@code min_position} to read
 * one's own writes (ADR 0005):
 * <ul>
 *   <li>{@code /api/v1/docks?status=} and {@code /api/v1/docks/{dock_id}}: docks with credential version and
 *   rotation status (never credential material); 404 {@code dock_not_found};</li>
 *   <li>{@code /api/v1/resources?dock_id=&type=&state=&name_prefix=&limit=&after=} and
 *   {@code /api/v1/resources/{resource_id}} (with {@code ETag: "<revision>"} for {@code If-Match} updates);
 *   404 {@code resource_not_found};</li>
 *   <li>{@code /api/v1/resources/{resource_id}/status}: getProvisionStatus;</li>
 *   <li>{@code /api/v1/resources/{resource_id}/operations?status=&limit=&after=} and
 *   {@code /api/v1/provisioning/operations?resource_id=&status=&limit=&after=}: listProvisioningOperations.</li>
 * </ul>
 * Bad parameters answer 400 {@code invalid_parameter}; a caller without {@code provisioning: read} 403.
 */
@RestController
class ProvisioningQueryController {

    static final Set<String> DOCK_STATUSES = Set.of(DockView.ACTIVE, DockView.DELETED);
    static final Set<String> TYPES = Arrays.stream(ResourceType.values()).map(ResourceType::wire)
            .collect(Collectors.toUnmodifiableSet());
    static final Set<String> STATES = Arrays.stream(ResourceState.values()).map(ResourceState::wire)
            .collect(Collectors.toUnmodifiableSet());
    static final Set<String> OPERATION_STATUSES = Set.of(ProvisioningOperationView.IN_PROGRESS,
            ProvisioningOperationView.SUCCEEDED, ProvisioningOperationView.FAILED);
    static final int MAX_ID_LENGTH = 64;
    static final int MAX_NAME_PREFIX_LENGTH = 255;

    private final QuerySender queries;

    ProvisioningQueryController(QuerySender queries) {
        this.queries = queries;
    }

    @Operation(summary = "List docks")
    @ApiResponse(responseCode = "200", description = "OK.", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "400", description = "invalid_parameter.")
    @GetMapping(path = "/api/v1/docks", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<DockList> docks(@RequestParam(name = "status", required = false) String status,
                         @RequestParam(name = "min_position", required = false) Long minPosition,
                         CallerIdentity caller) {
        QueryParams.requireRead(caller, Permission.Area.PROVISIONING);
        oneOf("status", status, DOCK_STATUSES);
        return queries.one(DockProjection.GROUP, minPosition, new FindDocksQuery(caller.orgId(), status),
                DockList.class);
    }

    @Operation(summary = "A dock (never credential material)")
    @ApiResponse(responseCode = "200", description = "OK.", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", description = "dock_not_found.")
    @GetMapping(path = "/api/v1/docks/{dockId}", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<DockView> dock(@PathVariable String dockId,
                        @RequestParam(name = "min_position", required = false) Long minPosition,
                        CallerIdentity caller) {
        QueryParams.requireRead(caller, Permission.Area.PROVISIONING);
        return queries.optional(DockProjection.GROUP, minPosition, new FindDockQuery(caller.orgId(), dockId),
                        DockView.class)
                .switchIfEmpty(Mono.error(() -> ApiException.notFound("dock_not_found", "No dock " + dockId + ".")));
    }

    @Operation(summary = "List resources")
    @ApiResponse(responseCode = "200", description = "OK.", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "400", description = "invalid_parameter.")
    @GetMapping(path = "/api/v1/resources", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<io.phasegate.events.resource.ResourcePage> resources(
            @RequestParam(name = "dock_id", required = false) String dockId,
            @RequestParam(name = "type", required = false) String type,
            @RequestParam(name = "state", required = false) String state,
            @RequestParam(name = "name_prefix", required = false) String namePrefix,
            @RequestParam(name = "after", required = false) String after,
            @RequestParam(name = "limit", defaultValue = "50") int limit,
            @RequestParam(name = "min_position", required = false) Long minPosition,
            CallerIdentity caller) {
        QueryParams.requireRead(caller, Permission.Area.PROVISIONING);
        oneOf("type", type, TYPES);
        oneOf("state", state, STATES);
        if (dockId != null && (dockId.isBlank() || dockId.length() > MAX_ID_LENGTH)) {
            throw ApiException.badRequest("invalid_parameter",
                    "dock_id must be a dock id (1 to " + MAX_ID_LENGTH + " characters).");
        }
        if (namePrefix != null && namePrefix.length() > MAX_NAME_PREFIX_LENGTH) {
            throw ApiException.badRequest("invalid_parameter",
                    "name_prefix must not be longer than " + MAX_NAME_PREFIX_LENGTH + " characters.");
        }
        QueryParams.requireLimit(limit);
        QueryParams.requireCursor(after);
        return queries.one(ResourceProjection.GROUP, minPosition, new FindResourcesQuery(caller.orgId(), dockId, type,
                state, namePrefix, after, limit), io.phasegate.events.resource.ResourcePage.class);
    }

    /** The resource with {@code ETag: "<revision>"}, the value an update's {@code If-Match} names. */
    @Operation(summary = "A resource (ETag: its revision, for If-Match)")
    @ApiResponse(responseCode = "200", description = "OK.", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", description = "resource_not_found.")
    @GetMapping(path = "/api/v1/resources/{resourceId}", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<ResourceView>> resource(@PathVariable String resourceId,
                                                @RequestParam(name = "min_position", required = false) Long minPosition,
                                                CallerIdentity caller) {
        QueryParams.requireRead(caller, Permission.Area.PROVISIONING);
        return queries.optional(ResourceProjection.GROUP, minPosition,
                        new FindResourceQuery(caller.orgId(), resourceId), ResourceView.class)
                .switchIfEmpty(Mono.error(() -> notFound(resourceId)))
                .map(view -> ResponseEntity.ok().eTag("\"" + view.revision() + "\"").body(view));
    }

    /** getProvisionStatus: state, revision, provider id and the current (or last) operation. */
    @Operation(summary = "getProvisionStatus")
    @ApiResponse(responseCode = "200", description = "OK.", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", description = "resource_not_found.")
    @GetMapping(path = "/api/v1/resources/{resourceId}/status", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ProvisionStatusView> status(@PathVariable String resourceId,
                                     @RequestParam(name = "min_position", required = false) Long minPosition,
                                     CallerIdentity caller) {
        QueryParams.requireRead(caller, Permission.Area.PROVISIONING);
        return queries.optional(ResourceProjection.GROUP, minPosition,
                        new FindProvisionStatusQuery(caller.orgId(), resourceId), ProvisionStatusView.class)
                .switchIfEmpty(Mono.error(() -> notFound(resourceId)));
    }

    /** listProvisioningOperations of one resource; 404 when the resource is not the caller's organisation's. */
    @Operation(summary = "listProvisioningOperations of a resource")
    @ApiResponse(responseCode = "200", description = "OK.", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", description = "resource_not_found.")
    @GetMapping(path = "/api/v1/resources/{resourceId}/operations", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ProvisioningOperationPage> resourceOperations(@PathVariable String resourceId,
                                                       @RequestParam(name = "status", required = false) String status,
                                                       @RequestParam(name = "after", required = false) String after,
                                                       @RequestParam(name = "limit", defaultValue = "50") int limit,
                                                       @RequestParam(name = "min_position", required = false)
                                                       Long minPosition,
                                                       CallerIdentity caller) {
        QueryParams.requireRead(caller, Permission.Area.PROVISIONING);
        operationFilters(status, after, limit);
        return queries.optional(ResourceProjection.GROUP, minPosition,
                        new FindProvisioningOperationsQuery(caller.orgId(), resourceId, status, after, limit),
                        ProvisioningOperationPage.class)
                .switchIfEmpty(Mono.error(() -> notFound(resourceId)));
    }

    /**
     * listProvisioningOperations of the organisation, optionally of one resource ({@code resource_id} is a filter
     * here: a resource that is not the caller's gives an empty page).
     */
    @Operation(summary = "listProvisioningOperations of the organisation")
    @ApiResponse(responseCode = "200", description = "OK.", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "400", description = "invalid_parameter.")
    @GetMapping(path = "/api/v1/provisioning/operations", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ProvisioningOperationPage> operations(@RequestParam(name = "resource_id", required = false) String resourceId,
                                               @RequestParam(name = "status", required = false) String status,
                                               @RequestParam(name = "after", required = false) String after,
                                               @RequestParam(name = "limit", defaultValue = "50") int limit,
                                               @RequestParam(name = "min_position", required = false)
                                               Long minPosition,
                                               CallerIdentity caller) {
        QueryParams.requireRead(caller, Permission.Area.PROVISIONING);
        if (resourceId != null && (resourceId.isBlank() || resourceId.length() > MAX_ID_LENGTH)) {
            throw ApiException.badRequest("invalid_parameter",
                    "resource_id must be a resource id (1 to " + MAX_ID_LENGTH + " characters).");
        }
        operationFilters(status, after, limit);
        return queries.optional(ResourceProjection.GROUP, minPosition,
                        new FindProvisioningOperationsQuery(caller.orgId(), resourceId, status, after, limit),
                        ProvisioningOperationPage.class)
                .defaultIfEmpty(new ProvisioningOperationPage(List.of(), null));
    }

    private static void operationFilters(String status, String after, int limit) {
        oneOf("status", status, OPERATION_STATUSES);
        QueryParams.requireLimit(limit);
        QueryParams.requireCursor(after);
    }

    private static void oneOf(String name, String value, Set<String> allowed) {
        if (value != null && !allowed.contains(value)) {
            throw ApiException.badRequest("invalid_parameter",
                    name + " must be one of " + allowed.stream().sorted().toList() + ".");
        }
    }

    private static ApiException notFound(String resourceId) {
        return ApiException.notFound("resource_not_found", "No resource " + resourceId + ".");
    }
}
