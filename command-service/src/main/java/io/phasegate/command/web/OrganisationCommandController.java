package io.phasegate.command.web;

import io.phasegate.command.idempotency.IdempotentCommands;
import io.phasegate.command.org.OrganisationNames;
import io.phasegate.command.position.CommandSender;
import io.phasegate.events.org.AccessLevel;
import io.phasegate.events.org.AddMemberCommand;
import io.phasegate.events.org.ChangeMemberRolesCommand;
import io.phasegate.events.org.CreateOrganisationCommand;
import io.phasegate.events.org.DefineRoleCommand;
import io.phasegate.events.org.RemoveMemberCommand;
import io.phasegate.events.org.RolePermissions;
import io.phasegate.platform.identity.CallerIdentity;
import io.phasegate.platform.identity.OperatorPolicy;
import io.phasegate.platform.identity.Permission;
import io.phasegate.platform.web.ApiException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriUtils;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Organisations, roles and members (SPEC §2.5, ADR 0008):
 * <ul>
 *   <li>{@code POST /api/v1/orgs} registers the caller's organisation (its admins by token role, or an operator);</li>
 *   <li>{@code PUT /api/v1/orgs/{org_id}/roles/{role}} defines or redefines a role;</li>
 *   <li>{@code POST /api/v1/orgs/{org_id}/members}, {@code PUT|DELETE /api/v1/orgs/{org_id}/members/{subject}}
 *   manage members.</li>
 * </ul>
 * Roles and members need org admin in the caller's organisation; another organisation answers 404.
 */
@RestController
class OrganisationCommandController {

    private static final List<String> ACCESS_LEVELS = List.of("full", "read", "none");
    private static final List<String> AUDIT_LEVELS = List.of("read", "none");

    private final CommandSender commands;
    private final IdempotentCommands idempotent;
    private final OperatorPolicy operators;
    private final ObjectMapper json;

    OrganisationCommandController(CommandSender commands, IdempotentCommands idempotent, OperatorPolicy operators,
                                  ObjectMapper json) {
        this.commands = commands;
        this.idempotent = idempotent;
        this.operators = operators;
        this.json = json;
    }

    /** Request body of {@code POST /api/v1/orgs}. */
    record CreateOrganisationRequest(String orgId, String name) {
    }

    @Schema(requiredProperties = {"org_id", "position"})
    record CreatedOrganisation(String orgId, long position) {
    }

    @Operation(summary = "Register the caller's organisation")
    @ApiResponse(responseCode = "201", description = "Registered.",
            content = @Content(mediaType = CommandResponses.JSON, schema = @Schema(implementation = CreatedOrganisation.class)))
    @ApiResponse(responseCode = "404", description = "organisation_not_found: another organisation's id.")
    @ApiResponse(responseCode = "409", description = "organisation_exists.")
    @PostMapping(path = "/api/v1/orgs", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<JsonNode>> create(@RequestBody CreateOrganisationRequest request,
                                          @RequestHeader(name = IdempotentCommands.HEADER, required = false) String key,
                                          CallerIdentity caller) {
        FieldProblems problems = new FieldProblems();
        problems.pattern("org_id", request.orgId(), OrganisationNames.SLUG, true);
        if (request.name() == null || request.name().isBlank()) {
            problems.add("name", "is required");
        } else if (request.name().strip().length() > OrganisationNames.MAX_NAME_LENGTH) {
            problems.add("name", "must be at most " + OrganisationNames.MAX_NAME_LENGTH + " characters");
        }
        problems.throwIfAny();
        if (!operators.allows(caller)) {
            if (!request.orgId().equals(caller.orgId())) {
                throw notFound();
            }
            Authorization.require(caller, Permission.Area.ORG_ADMIN, Permission.Level.FULL);
        }
        String orgId = request.orgId();
        return idempotent.run(caller, key, "POST /api/v1/orgs " + json.writeValueAsString(request),
                () -> commands.send(new CreateOrganisationCommand(orgId, request.name().strip(), caller.subject()))
                        .map(position -> ResponseEntity.created(URI.create("/api/v1/orgs/" + orgId))
                                .body(new CreatedOrganisation(orgId, position))));
    }

    /** Request body of {@code PUT /api/v1/orgs/{org_id}/roles/{role}}. */
    record DefineRoleRequest(String provisioning, String tasks, String audit, Boolean orgAdmin) {
    }

    @Schema(requiredProperties = {"org_id", "role", "position"})
    record DefinedRole(String orgId, String role, long position) {
    }

    @Operation(summary = "Define or redefine a role")
    @ApiResponse(responseCode = "200", description = "Defined.",
            content = @Content(mediaType = CommandResponses.JSON, schema = @Schema(implementation = DefinedRole.class)))
    @ApiResponse(responseCode = "404", description = "organisation_not_found.")
    @PutMapping(path = "/api/v1/orgs/{orgId}/roles/{role}", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<JsonNode>> defineRole(@PathVariable String orgId, @PathVariable String role,
                                              @RequestBody DefineRoleRequest request,
                                              @RequestHeader(name = IdempotentCommands.HEADER, required = false)
                                              String key,
                                              CallerIdentity caller) {
        requireAdminOf(orgId, caller);
        FieldProblems problems = new FieldProblems();
        if (!OrganisationNames.isSlug(role)) {
            problems.add("role", "must match " + OrganisationNames.SLUG.pattern());
        }
        oneOf(problems, "provisioning", request.provisioning(), ACCESS_LEVELS);
        oneOf(problems, "tasks", request.tasks(), ACCESS_LEVELS);
        oneOf(problems, "audit", request.audit(), AUDIT_LEVELS);
        if (request.orgAdmin() == null) {
            problems.add("org_admin", "is required");
        }
        problems.throwIfAny();
        RolePermissions permissions = new RolePermissions(AccessLevel.fromWire(request.provisioning()),
                AccessLevel.fromWire(request.tasks()), AccessLevel.fromWire(request.audit()), request.orgAdmin());
        return idempotent.run(caller, key, "PUT /api/v1/orgs/" + orgId + "/roles/" + role + " "
                        + json.writeValueAsString(request),
                () -> send(new DefineRoleCommand(orgId, role, permissions, caller.subject()))
                        .map(position -> ResponseEntity.ok(new DefinedRole(orgId, role, position))));
    }

    /** Request body of {@code POST /api/v1/orgs/{org_id}/members}. */
    record AddMemberRequest(String subject, List<String> roles) {
    }

    /** Request body of {@code PUT /api/v1/orgs/{org_id}/members/{subject}}. */
    record ChangeMemberRequest(List<String> roles) {
    }

    @Schema(requiredProperties = {"org_id", "subject", "roles", "position"})
    record MemberChanged(String orgId, String subject, List<String> roles, long position) {
    }

    @Operation(summary = "Add a member")
    @ApiResponse(responseCode = "201", description = "Added.",
            content = @Content(mediaType = CommandResponses.JSON, schema = @Schema(implementation = MemberChanged.class)))
    @ApiResponse(responseCode = "404", description = "organisation_not_found.")
    @ApiResponse(responseCode = "409", description = "member_exists.")
    @ApiResponse(responseCode = "422", description = "unknown_role.")
    @PostMapping(path = "/api/v1/orgs/{orgId}/members", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<JsonNode>> addMember(@PathVariable String orgId, @RequestBody AddMemberRequest request,
                                             @RequestHeader(name = IdempotentCommands.HEADER, required = false)
                                             String key,
                                             CallerIdentity caller) {
        requireAdminOf(orgId, caller);
        FieldProblems problems = new FieldProblems();
        problems.pattern("subject", request.subject(), OrganisationNames.SUBJECT, true);
        roles(problems, request.roles());
        problems.throwIfAny();
        Set<String> roles = Set.copyOf(request.roles());
        String subject = request.subject();
        return idempotent.run(caller, key, "POST /api/v1/orgs/" + orgId + "/members " + json.writeValueAsString(request),
                () -> send(new AddMemberCommand(orgId, subject, roles, caller.subject()))
                        .map(position -> ResponseEntity.created(URI.create("/api/v1/orgs/" + orgId + "/members/"
                                        + UriUtils.encodePathSegment(subject, java.nio.charset.StandardCharsets.UTF_8)))
                                .body(new MemberChanged(orgId, subject, sorted(roles), position))));
    }

    @Operation(summary = "Change a member's roles")
    @ApiResponse(responseCode = "200", description = "Changed.",
            content = @Content(mediaType = CommandResponses.JSON, schema = @Schema(implementation = MemberChanged.class)))
    @ApiResponse(responseCode = "404", description = "organisation_not_found or member_not_found.")
    @ApiResponse(responseCode = "409", description = "last_org_admin.")
    @ApiResponse(responseCode = "422", description = "unknown_role.")
    @PutMapping(path = "/api/v1/orgs/{orgId}/members/{subject}", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<JsonNode>> changeMember(@PathVariable String orgId, @PathVariable String subject,
                                                @RequestBody ChangeMemberRequest request,
                                                @RequestHeader(name = IdempotentCommands.HEADER, required = false)
                                                String key,
                                                CallerIdentity caller) {
        requireAdminOf(orgId, caller);
        requireSubject(subject);
        FieldProblems problems = new FieldProblems();
        roles(problems, request.roles());
        problems.throwIfAny();
        Set<String> roles = Set.copyOf(request.roles());
        return idempotent.run(caller, key, "PUT /api/v1/orgs/" + orgId + "/members/" + subject + " "
                        + json.writeValueAsString(request),
                () -> send(new ChangeMemberRolesCommand(orgId, subject, roles, caller.subject()))
                        .map(position -> ResponseEntity.ok(new MemberChanged(orgId, subject, sorted(roles), position))));
    }

    @Operation(summary = "Remove a member")
    @ApiResponse(responseCode = "200", description = "Removed.",
            content = @Content(mediaType = CommandResponses.JSON, schema = @Schema(implementation = CommandResponses.MemberRemoved.class)))
    @ApiResponse(responseCode = "404", description = "organisation_not_found or member_not_found.")
    @ApiResponse(responseCode = "409", description = "last_org_admin.")
    @DeleteMapping(path = "/api/v1/orgs/{orgId}/members/{subject}", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<JsonNode>> removeMember(@PathVariable String orgId, @PathVariable String subject,
                                                @RequestHeader(name = IdempotentCommands.HEADER, required = false)
                                                String key,
                                                CallerIdentity caller) {
        requireAdminOf(orgId, caller);
        requireSubject(subject);
        return idempotent.run(caller, key, "DELETE /api/v1/orgs/" + orgId + "/members/" + subject,
                () -> send(new RemoveMemberCommand(orgId, subject, caller.subject()))
                        .map(position -> ResponseEntity.ok(Map.of("org_id", orgId, "subject", subject,
                                "removed", true, "position", position))));
    }

    // ------------------------------------------------------------------------------------------------------------

    /** Another organisation's id answers 404 (never 403); then org admin is needed. */
    private static void requireAdminOf(String orgId, CallerIdentity caller) {
        if (!orgId.equals(caller.orgId())) {
            throw notFound();
        }
        Authorization.require(caller, Permission.Area.ORG_ADMIN, Permission.Level.FULL);
    }

    /** An organisation that is not registered answers 404 {@code organisation_not_found} too. */
    private Mono<Long> send(Object command) {
        return commands.send(command).onErrorMap(OrganisationCommandController::aggregateMissing,
                error -> notFound());
    }

    private static boolean aggregateMissing(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof AggregateNotFoundException) {
                return true;
            }
        }
        return false;
    }

    private static ApiException notFound() {
        return ApiException.notFound("organisation_not_found", "No such organisation.");
    }

    private static void requireSubject(String subject) {
        if (!OrganisationNames.isSubject(subject)) {
            throw ApiException.notFound("member_not_found", "No such member.");
        }
    }

    private static void oneOf(FieldProblems problems, String field, String value, List<String> allowed) {
        if (value == null) {
            problems.add(field, "is required");
        } else if (!allowed.contains(value)) {
            problems.add(field, "must be one of " + allowed);
        }
    }

    private static void roles(FieldProblems problems, List<String> roles) {
        if (roles == null || roles.isEmpty()) {
            problems.add("roles", "must name at least one role");
            return;
        }
        problems.list("roles", roles, OrganisationNames.SLUG, OrganisationNames.MAX_ROLES_PER_MEMBER);
    }

    private static List<String> sorted(Set<String> roles) {
        return List.copyOf(new TreeSet<>(roles));
    }
}
