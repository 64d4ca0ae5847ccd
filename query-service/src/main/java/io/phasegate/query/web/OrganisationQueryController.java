package io.phasegate.query.web;

import io.phasegate.events.org.FindOrganisationMemberQuery;
import io.phasegate.events.org.FindOrganisationQuery;
import io.phasegate.events.org.OrganisationMemberView;
import io.phasegate.events.org.OrganisationView;
import io.phasegate.platform.identity.CallerIdentity;
import io.phasegate.platform.web.ApiException;
import io.phasegate.query.org.OrganisationProjection;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * {@code GET /api/v1/orgs/{org_id}} (roles with their permissions, members with their roles) and
 * {@code GET /api/v1/orgs/{org_id}/members/{subject}}, for any caller with a role in that organisation (in a
 * registered organisation: any member). Another organisation answers 404.
 */
@RestController
class OrganisationQueryController {

    private final QuerySender queries;

    OrganisationQueryController(QuerySender queries) {
        this.queries = queries;
    }

    @Operation(summary = "An organisation: roles and members")
    @ApiResponse(responseCode = "200", description = "OK.", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", description = "organisation_not_found.")
    @GetMapping(path = "/api/v1/orgs/{orgId}", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<OrganisationView> get(@PathVariable String orgId,
                               @RequestParam(name = "min_position", required = false) Long minPosition,
                               CallerIdentity caller) {
        requireRoleIn(orgId, caller);
        return queries.optional(OrganisationProjection.GROUP, minPosition, new FindOrganisationQuery(orgId),
                        OrganisationView.class)
                .switchIfEmpty(Mono.error(OrganisationQueryController::organisationNotFound));
    }

    @Operation(summary = "A member")
    @ApiResponse(responseCode = "200", description = "OK.", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "404", description = "organisation_not_found or member_not_found.")
    @GetMapping(path = "/api/v1/orgs/{orgId}/members/{subject}", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<OrganisationMemberView> member(@PathVariable String orgId, @PathVariable String subject,
                                        @RequestParam(name = "min_position", required = false) Long minPosition,
                                        CallerIdentity caller) {
        requireRoleIn(orgId, caller);
        return queries.optional(OrganisationProjection.GROUP, minPosition,
                        new FindOrganisationMemberQuery(orgId, subject), OrganisationMemberView.class)
                .switchIfEmpty(Mono.error(() -> ApiException.notFound("member_not_found", "No such member.")));
    }

    private static void requireRoleIn(String orgId, CallerIdentity caller) {
        if (!orgId.equals(caller.orgId())) {
            throw organisationNotFound();
        }
        if (caller.roles().isEmpty()) {
            throw ApiException.forbidden("Only members of the organisation may read it.");
        }
    }

    private static ApiException organisationNotFound() {
        return ApiException.notFound("organisation_not_found", "No such organisation.");
    }
}
