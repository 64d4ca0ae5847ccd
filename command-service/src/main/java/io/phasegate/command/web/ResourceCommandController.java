package io.phasegate.command.web;

import io.phasegate.command.idempotency.IdempotentCommands;
import io.phasegate.command.position.CommandSender;
import io.phasegate.command.resource.OperationAccepted;
import io.phasegate.command.resource.ResourceRules;
import io.phasegate.events.resource.DeprovisionResourceCommand;
import io.phasegate.events.resource.ImportResourceCommand;
import io.phasegate.events.resource.ProvisionResourceCommand;
import io.phasegate.events.resource.ProvisioningSource;
import io.phasegate.events.resource.ResourceType;
import io.phasegate.events.resource.UpdateResourceCommand;
import io.phasegate.platform.identity.CallerIdentity;
import io.phasegate.platform.identity.Permission;
import io.phasegate.platform.web.ApiException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Resource commands (SPEC §2.7, §4.1): provision, import, update with {@code If-Match}, deprovision. All need
 * provisioning {@code full}; another organisation's resource answers 404 {@code resource_not_found}. Provider work
 * happens later in the provisioning process, so the accepting endpoints answer 202 with the operation id.
 */
@RestController
class ResourceCommandController {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
    /** {@code If-Match}: a strong entity tag {@code "3"} or the bare revision {@code 3}. */
    private static final Pattern REVISION_TAG = Pattern.compile("\\s*(?:\"(\\d{1,18})\"|(\\d{1,18}))\\s*");
    private static final List<String> TYPES = Arrays.stream(ResourceType.values()).map(ResourceType::wire).toList();
    private static final List<String> IMPORT_SOURCES = List.of(ProvisioningSource.IMPORT.wire(),
            ProvisioningSource.MANUAL.wire());

    private final CommandSender commands;
    private final IdempotentCommands idempotent;
    private final ObjectMapper json;

    ResourceCommandController(CommandSender commands, IdempotentCommands idempotent, ObjectMapper json) {
        this.commands = commands;
        this.idempotent = idempotent;
        this.json = json;
    }

    /** Body of {@code POST /api/v1/resources}; unknown fields are refused. */
    record ProvisionRequest(String resourceId, String dockId, String type, String name, JsonNode spec) {
    }

    /** Body of {@code POST /api/v1/resources/import}. */
    record ImportRequest(String resourceId, String dockId, String type, String name, JsonNode spec,
                         String providerResourceId, String provisioningSource) {
    }

    /** Body of {@code PATCH /api/v1/resources/{id}}: the complete new spec. */
    record UpdateRequest(JsonNode spec) {
    }

    /** A 202 answer: the operation the request started. */
    @Schema(name = "ResourceOperationAccepted", requiredProperties = {"resource_id", "operation_id", "state", "revision", "position"})
    record Accepted(String resourceId, String operationId, String state, long revision, long position) {
    }

    /** The 201 answer of an import. */
    @Schema(name = "ResourceImported", requiredProperties = {"resource_id", "state", "revision", "provisioning_source", "provider_resource_id", "position"})
    record Imported(String resourceId, String state, long revision, String provisioningSource,
                    String providerResourceId, long position) {
    }

    @Operation(summary = "Provision a resource")
    @ApiResponse(responseCode = "202", description = "Accepted; the provisioning process does the provider work. ETag: the revision.",
            content = @Content(mediaType = CommandResponses.JSON, schema = @Schema(implementation = Accepted.class)))
    @ApiResponse(responseCode = "404", description = "dock_not_found.")
    @ApiResponse(responseCode = "409", description = "resource_exists.")
    @PostMapping(path = "/api/v1/resources", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<JsonNode>> provision(@RequestBody ProvisionRequest request,
                                             @RequestHeader(name = IdempotentCommands.HEADER, required = false) String key,
                                             CallerIdentity caller) {
        Authorization.require(caller, Permission.Area.PROVISIONING, Permission.Level.FULL);
        FieldProblems problems = new FieldProblems();
        problems.pattern("resource_id", request.resourceId(), ID, false);
        problems.pattern("dock_id", request.dockId(), ID, true);
        ResourceType type = type(request.type(), problems);
        add(problems, ResourceRules.checkName(request.name()));
        Map<String, Object> spec = spec(request.spec(), false, problems);
        problems.throwIfAny();
        return idempotent.run(caller, key, "POST /api/v1/resources " + json.writeValueAsString(request), () -> {
            String resourceId = request.resourceId() == null ? UUID.randomUUID().toString() : request.resourceId();
            return accepted(resourceId, () -> commands.<OperationAccepted>call(new ProvisionResourceCommand(resourceId,
                    caller.orgId(), request.dockId(), type, request.name(), spec, caller.subject())));
        });
    }

    @Operation(summary = "Import an existing resource")
    @ApiResponse(responseCode = "201", description = "Imported (provisioned). ETag: the revision.",
            content = @Content(mediaType = CommandResponses.JSON, schema = @Schema(implementation = Imported.class)))
    @ApiResponse(responseCode = "404", description = "dock_not_found.")
    @ApiResponse(responseCode = "409", description = "resource_exists.")
    @PostMapping(path = "/api/v1/resources/import", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<JsonNode>> importResource(@RequestBody ImportRequest request,
                                                  @RequestHeader(name = IdempotentCommands.HEADER, required = false)
                                                  String key,
                                                  CallerIdentity caller) {
        Authorization.require(caller, Permission.Area.PROVISIONING, Permission.Level.FULL);
        FieldProblems problems = new FieldProblems();
        problems.pattern("resource_id", request.resourceId(), ID, false);
        problems.pattern("dock_id", request.dockId(), ID, true);
        ResourceType type = type(request.type(), problems);
        add(problems, ResourceRules.checkName(request.name()));
        Map<String, Object> spec = spec(request.spec(), false, problems);
        add(problems, ResourceRules.checkProviderResourceId(request.providerResourceId()));
        if (request.provisioningSource() == null) {
            problems.add("provisioning_source", "is required");
        } else if (!IMPORT_SOURCES.contains(request.provisioningSource())) {
            problems.add("provisioning_source", "must be one of " + IMPORT_SOURCES);
        }
        problems.throwIfAny();
        ProvisioningSource source = ProvisioningSource.fromWire(request.provisioningSource());
        return idempotent.run(caller, key, "POST /api/v1/resources/import " + json.writeValueAsString(request), () -> {
            String resourceId = request.resourceId() == null ? UUID.randomUUID().toString() : request.resourceId();
            return commands.<OperationAccepted>call(new ImportResourceCommand(resourceId, caller.orgId(),
                            request.dockId(), type, request.name(), spec, request.providerResourceId(), source,
                            caller.subject()))
                    .onErrorMap(ResourceCommandController::notFound)
                    .map(sent -> ResponseEntity.created(URI.create("/api/v1/resources/" + resourceId))
                            .eTag(tag(sent.result().revision()))
                            .body(new Imported(resourceId, sent.result().state().wire(), sent.result().revision(),
                                    source.wire(), request.providerResourceId(), sent.position())));
        });
    }

    @Operation(summary = "Update a resource's spec (If-Match required)")
    @ApiResponse(responseCode = "202", description = "Accepted. ETag: the new revision.",
            content = @Content(mediaType = CommandResponses.JSON, schema = @Schema(implementation = Accepted.class)))
    @ApiResponse(responseCode = "400", description = "validation_failed or invalid_if_match.")
    @ApiResponse(responseCode = "404", description = "resource_not_found.")
    @ApiResponse(responseCode = "409", description = "stale_revision (with current_revision) or invalid_state.")
    @ApiResponse(responseCode = "428", description = "precondition_required: If-Match is missing.")
    @PatchMapping(path = "/api/v1/resources/{resourceId}", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<JsonNode>> update(@PathVariable String resourceId, @RequestBody UpdateRequest request,
                                          @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch,
                                          @RequestHeader(name = IdempotentCommands.HEADER, required = false) String key,
                                          CallerIdentity caller) {
        Authorization.require(caller, Permission.Area.PROVISIONING, Permission.Level.FULL);
        requireId(resourceId);
        if (ifMatch == null || ifMatch.isBlank()) {
            throw new ApiException(HttpStatus.PRECONDITION_REQUIRED, "precondition_required",
                    "An update must name the revision it changes in If-Match (the resource's ETag, e.g. \"3\").");
        }
        long expected = revision(ifMatch, false);
        FieldProblems problems = new FieldProblems();
        Map<String, Object> spec = spec(request.spec(), true, problems);
        problems.throwIfAny();
        return idempotent.run(caller, key, "PATCH /api/v1/resources/" + resourceId + " " + expected + " "
                        + json.writeValueAsString(request),
                () -> accepted(resourceId, () -> commands.<OperationAccepted>call(new UpdateResourceCommand(resourceId,
                        caller.orgId(), spec, expected, caller.subject()))));
    }

    @Operation(summary = "Deprovision a resource (If-Match optional)")
    @ApiResponse(responseCode = "202", description = "Accepted. ETag: the new revision.",
            content = @Content(mediaType = CommandResponses.JSON, schema = @Schema(implementation = Accepted.class)))
    @ApiResponse(responseCode = "404", description = "resource_not_found.")
    @ApiResponse(responseCode = "409", description = "stale_revision or invalid_state.")
    @DeleteMapping(path = "/api/v1/resources/{resourceId}", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<JsonNode>> deprovision(@PathVariable String resourceId,
                                               @RequestHeader(name = HttpHeaders.IF_MATCH, required = false)
                                               String ifMatch,
                                               @RequestHeader(name = IdempotentCommands.HEADER, required = false)
                                               String key,
                                               CallerIdentity caller) {
        Authorization.require(caller, Permission.Area.PROVISIONING, Permission.Level.FULL);
        requireId(resourceId);
        Long expected = ifMatch == null || ifMatch.isBlank() || ifMatch.strip().equals("*") ? null
                : revision(ifMatch, true);
        return idempotent.run(caller, key, "DELETE /api/v1/resources/" + resourceId + " " + expected,
                () -> accepted(resourceId, () -> commands.<OperationAccepted>call(new DeprovisionResourceCommand(
                        resourceId, caller.orgId(), expected, caller.subject()))));
    }

    // ------------------------------------------------------------------------------------------------- helpers

    private static Mono<ResponseEntity<Accepted>> accepted(String resourceId,
                                                          Supplier<Mono<CommandSender.Sent<OperationAccepted>>> send) {
        return send.get()
                .onErrorMap(ResourceCommandController::notFound)
                .map(sent -> ResponseEntity.status(HttpStatus.ACCEPTED)
                        .location(URI.create("/api/v1/resources/" + resourceId))
                        .eTag(tag(sent.result().revision()))
                        .body(new Accepted(resourceId, sent.result().operationId(), sent.result().state().wire(),
                                sent.result().revision(), sent.position())));
    }

    /** A resource id that was never used is as unknown as another organisation's. */
    private static Throwable notFound(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof AggregateNotFoundException) {
                return ApiException.notFound("resource_not_found", "No such resource.");
            }
        }
        return error;
    }

    private static String tag(long revision) {
        return "\"" + revision + "\"";
    }

    private static long revision(String ifMatch, boolean allowAny) {
        Matcher matcher = REVISION_TAG.matcher(ifMatch);
        if (!matcher.matches()) {
            throw ApiException.badRequest("invalid_if_match", allowAny
                    ? "If-Match must be the resource's revision as an entity tag (\"3\"), a bare number or *."
                    : "If-Match must be the resource's revision as an entity tag (\"3\") or a bare number.");
        }
        return Long.parseLong(matcher.group(1) != null ? matcher.group(1) : matcher.group(2));
    }

    private static ResourceType type(String type, FieldProblems problems) {
        if (type == null) {
            problems.add("type", "is required");
            return null;
        }
        if (!TYPES.contains(type)) {
            problems.add("type", "must be one of " + TYPES);
            return null;
        }
        return ResourceType.fromWire(type.toUpperCase(Locale.ROOT));
    }

    private Map<String, Object> spec(JsonNode node, boolean required, FieldProblems problems) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            if (required) {
                problems.add("spec", "is required");
            }
            return Map.of();
        }
        if (!node.isObject()) {
            problems.add("spec", "must be a JSON object");
            return Map.of();
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = json.convertValue(node, Map.class);
        if (spec.containsValue(null)) {
            problems.add("spec", "must not have null members at the top level");
            return Map.of();
        }
        add(problems, ResourceRules.checkSpec(spec));
        return spec;
    }

    private static void add(FieldProblems problems, List<ResourceRules.Problem> found) {
        found.forEach(problem -> problems.add(problem.field(), problem.message()));
    }

    private static void requireId(String id) {
        if (!ID.matcher(id).matches()) {
            throw ApiException.notFound("resource_not_found", "No such resource.");
        }
    }
}
