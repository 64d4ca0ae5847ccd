package io.phasegate.command.org;

import static io.phasegate.command.Rejections.rejection;
import static org.assertj.core.api.Assertions.assertThat;

import io.phasegate.events.org.AccessLevel;
import io.phasegate.events.org.AddMemberCommand;
import io.phasegate.events.org.ChangeMemberRolesCommand;
import io.phasegate.events.org.CreateOrganisationCommand;
import io.phasegate.events.org.DefineRoleCommand;
import io.phasegate.events.org.MemberAddedEvent;
import io.phasegate.events.org.MemberRemovedEvent;
import io.phasegate.events.org.MemberRolesChangedEvent;
import io.phasegate.events.org.OrganisationCreatedEvent;
import io.phasegate.events.org.RemoveMemberCommand;
import io.phasegate.events.org.RoleDefinedEvent;
import io.phasegate.events.org.RolePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.test.aggregate.AggregateTestFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OrganisationTest {

    private static final String ORG = "acme";
    private static final Instant T0 = Instant.parse("2025-06-01T12:00:00Z");
    private static final Instant T1 = T0.plusSeconds(60);
    private static final RolePermissions RELEASE = new RolePermissions(AccessLevel.FULL, AccessLevel.READ,
            AccessLevel.NONE, false);

    private AggregateTestFixture<Organisation> fixture;

    @BeforeEach
    void setUp() {
        fixture = new AggregateTestFixture<>(Organisation.class);
    }

    private static OrganisationCreatedEvent created() {
        return new OrganisationCreatedEvent(ORG, "Acme Corp", RolePermissions.DEFAULT_ROLES, "ada", T0);
    }

    private static MemberAddedEvent creatorAdded() {
        return new MemberAddedEvent(ORG, "ada", List.of("admin"), "ada", T0);
    }

    private static MemberAddedEvent added(String subject, String... roles) {
        return new MemberAddedEvent(ORG, subject, List.of(roles), "ada", T0);
    }

    // --- create -----------------------------------------------------------------------------------------------

    @Test
    void creatingRegistersTheDefaultRolesAndTheCreatorAsAdmin() {
        fixture.givenCurrentTime(T0)
                .when(new CreateOrganisationCommand(ORG, "Acme Corp", "ada"))
                .expectSuccessfulHandlerExecution()
                .expectEvents(created(), creatorAdded())
                .expectState(org -> {
                    assertThat(org.orgId()).isEqualTo(ORG);
                    assertThat(org.roles()).isEqualTo(RolePermissions.DEFAULT_ROLES);
                    assertThat(org.members()).isEqualTo(Map.of("ada", Set.of("admin")));
                });
    }

    @Test
    void creatingAnExistingOrganisationIsAConflict() {
        fixture.given(created(), creatorAdded())
                .when(new CreateOrganisationCommand(ORG, "Again", "bob"))
                .expectException(CommandExecutionException.class)
                .expectExceptionDetails(rejection("organisation_exists", 409, Map.of()))
                .expectNoEvents();
    }

    @ParameterizedTest(name = "org id \"{0}\"")
    @ValueSource(strings = {"Acme", "acme_corp", "-acme", "acme-", "", "ac me", "a/b"})
    void anOrganisationIdMustBeALowerCaseSlug(String orgId) {
        fixture.givenNoPriorActivity()
                .when(new CreateOrganisationCommand(orgId, "Acme", "ada"))
                .expectException(CommandExecutionException.class)
                .expectExceptionDetails(rejection("invalid_org_id", 400, Map.of()))
                .expectNoEvents();
    }

    @Test
    void creatingNeedsANameAndAnActor() {
        fixture.givenNoPriorActivity()
                .when(new CreateOrganisationCommand(ORG, "  ", "ada"))
                .expectExceptionDetails(rejection("invalid_name", 400, Map.of()))
                .expectNoEvents();
        fixture.givenNoPriorActivity()
                .when(new CreateOrganisationCommand(ORG, "Acme", " "))
                .expectExceptionDetails(rejection("actor_required", 400, Map.of()))
                .expectNoEvents();
    }

    // --- roles -------------------------------------------------------------------------------------------------

    @Test
    void aCustomRoleIsDefined() {
        fixture.given(created(), creatorAdded())
                .andGivenCurrentTime(T1)
                .when(new DefineRoleCommand(ORG, "release-manager", RELEASE, "ada"))
                .expectEvents(new RoleDefinedEvent(ORG, "release-manager", RELEASE, "ada", T1))
                .expectState(org -> assertThat(org.roles()).containsEntry("release-manager", RELEASE).hasSize(5));
    }

    @Test
    void aDefaultRoleIsRedefined() {
        RolePermissions readOnlyDeveloper = new RolePermissions(AccessLevel.READ, AccessLevel.READ, AccessLevel.NONE,
                false);
        fixture.given(created(), creatorAdded())
                .andGivenCurrentTime(T1)
                .when(new DefineRoleCommand(ORG, "developer", readOnlyDeveloper, "ada"))
                .expectEvents(new RoleDefinedEvent(ORG, "developer", readOnlyDeveloper, "ada", T1));
    }

    @Test
    void redefiningARoleAsItIsChangesNothing() {
        fixture.given(created(), creatorAdded())
                .when(new DefineRoleCommand(ORG, "viewer", RolePermissions.VIEWER, "ada"))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @ParameterizedTest(name = "role \"{0}\"")
    @ValueSource(strings = {"Admin", "release_manager", "", "-x", "a b"})
    void aRoleNameMustBeALowerCaseSlug(String role) {
        fixture.given(created(), creatorAdded())
                .when(new DefineRoleCommand(ORG, role, RELEASE, "ada"))
                .expectExceptionDetails(rejection("invalid_role", 400, Map.of()))
                .expectNoEvents();
    }

    @Test
    void auditIsReadOrNoneAndPermissionsAreRequired() {
        fixture.given(created(), creatorAdded())
                .when(new DefineRoleCommand(ORG, "x", new RolePermissions(AccessLevel.NONE, AccessLevel.NONE,
                        AccessLevel.FULL, false), "ada"))
                .expectExceptionDetails(rejection("invalid_permissions", 400, Map.of()))
                .expectNoEvents();
        fixture.given(created(), creatorAdded())
                .when(new DefineRoleCommand(ORG, "x", null, "ada"))
                .expectExceptionDetails(rejection("invalid_permissions", 400, Map.of()))
                .expectNoEvents();
    }

    @Test
    void redefiningTheOnlyAdminRoleWithoutOrgAdminIsAConflict() {
        fixture.given(created(), creatorAdded(), added("bob", "developer"))
                .when(new DefineRoleCommand(ORG, "admin", new RolePermissions(AccessLevel.FULL, AccessLevel.FULL,
                        AccessLevel.READ, false), "ada"))
                .expectExceptionDetails(rejection("last_org_admin", 409, Map.of()))
                .expectNoEvents();
    }

    @Test
    void theAdminRoleMayLoseOrgAdminWhenAnotherRoleOfAMemberKeepsIt() {
        RolePermissions owner = new RolePermissions(AccessLevel.NONE, AccessLevel.NONE, AccessLevel.NONE, true);
        RolePermissions plainAdmin = new RolePermissions(AccessLevel.FULL, AccessLevel.FULL, AccessLevel.READ, false);
        fixture.given(created(), creatorAdded(), new RoleDefinedEvent(ORG, "owner", owner, "ada", T0),
                        added("bob", "owner"))
                .andGivenCurrentTime(T1)
                .when(new DefineRoleCommand(ORG, "admin", plainAdmin, "ada"))
                .expectEvents(new RoleDefinedEvent(ORG, "admin", plainAdmin, "ada", T1));
    }

    @Test
    void definingARoleOfAnUnknownOrganisationFails() {
        fixture.givenNoPriorActivity()
                .when(new DefineRoleCommand(ORG, "x", RELEASE, "ada"))
                .expectException(org.axonframework.modelling.command.AggregateNotFoundException.class);
    }

    @Test
    void definingARoleNeedsAnActor() {
        fixture.given(created(), creatorAdded())
                .when(new DefineRoleCommand(ORG, "x", RELEASE, null))
                .expectExceptionDetails(rejection("actor_required", 400, Map.of()))
                .expectNoEvents();
    }

    // --- members -----------------------------------------------------------------------------------------------

    @Test
    void aMemberIsAddedWithDefinedRolesSorted() {
        fixture.given(created(), creatorAdded(), new RoleDefinedEvent(ORG, "release-manager", RELEASE, "ada", T0))
                .andGivenCurrentTime(T1)
                .when(new AddMemberCommand(ORG, "bob", Set.of("viewer", "release-manager"), "ada"))
                .expectEvents(new MemberAddedEvent(ORG, "bob", List.of("release-manager", "viewer"), "ada", T1))
                .expectState(org -> assertThat(org.members()).containsEntry("bob",
                        Set.of("release-manager", "viewer")));
    }

    @Test
    void aMembersRolesMustBeDefinedByTheOrganisation() {
        fixture.given(created(), creatorAdded())
                .when(new AddMemberCommand(ORG, "bob", Set.of("viewer", "root", "god"), "ada"))
                .expectExceptionDetails(rejection("unknown_role", 422, Map.of("unknown_roles", List.of("god", "root"))))
                .expectNoEvents();
        fixture.given(created(), creatorAdded(), added("bob", "viewer"))
                .when(new ChangeMemberRolesCommand(ORG, "bob", Set.of("root"), "ada"))
                .expectExceptionDetails(rejection("unknown_role", 422, Map.of("unknown_roles", List.of("root"))))
                .expectNoEvents();
    }

    @Test
    void aMemberNeedsAtLeastOneRole() {
        fixture.given(created(), creatorAdded())
                .when(new AddMemberCommand(ORG, "bob", Set.of(), "ada"))
                .expectExceptionDetails(rejection("roles_required", 400, Map.of()))
                .expectNoEvents();
    }

    @Test
    void addingAnExistingMemberIsAConflict() {
        fixture.given(created(), creatorAdded(), added("bob", "viewer"))
                .when(new AddMemberCommand(ORG, "bob", Set.of("developer"), "ada"))
                .expectExceptionDetails(rejection("member_exists", 409, Map.of()))
                .expectNoEvents();
    }

    @Test
    void aSubjectMustBeVisibleAscii() {
        fixture.given(created(), creatorAdded())
                .when(new AddMemberCommand(ORG, "bob smith", Set.of("viewer"), "ada"))
                .expectExceptionDetails(rejection("invalid_subject", 400, Map.of()))
                .expectNoEvents();
    }

    @Test
    void addingNeedsAnActor() {
        fixture.given(created(), creatorAdded())
                .when(new AddMemberCommand(ORG, "bob", Set.of("viewer"), ""))
                .expectExceptionDetails(rejection("actor_required", 400, Map.of()))
                .expectNoEvents();
    }

    @Test
    void aMembersRolesAreReplaced() {
        fixture.given(created(), creatorAdded(), added("bob", "viewer"))
                .andGivenCurrentTime(T1)
                .when(new ChangeMemberRolesCommand(ORG, "bob", Set.of("developer", "auditor"), "ada"))
                .expectEvents(new MemberRolesChangedEvent(ORG, "bob", List.of("auditor", "developer"),
                        List.of("viewer"), "ada", T1))
                .expectState(org -> assertThat(org.members()).containsEntry("bob", Set.of("auditor", "developer")));
    }

    @Test
    void changingToTheSameRolesChangesNothing() {
        fixture.given(created(), creatorAdded(), added("bob", "viewer"))
                .when(new ChangeMemberRolesCommand(ORG, "bob", Set.of("viewer"), "ada"))
                .expectSuccessfulHandlerExecution()
                .expectNoEvents();
    }

    @Test
    void changingOrRemovingAnUnknownMemberIsNotFound() {
        fixture.given(created(), creatorAdded())
                .when(new ChangeMemberRolesCommand(ORG, "nobody", Set.of("viewer"), "ada"))
                .expectExceptionDetails(rejection("member_not_found", 404, Map.of()))
                .expectNoEvents();
        fixture.given(created(), creatorAdded())
                .when(new RemoveMemberCommand(ORG, "nobody", "ada"))
                .expectExceptionDetails(rejection("member_not_found", 404, Map.of()))
                .expectNoEvents();
    }

    @Test
    void theLastOrgAdminCannotBeDemoted() {
        fixture.given(created(), creatorAdded(), added("bob", "developer"))
                .when(new ChangeMemberRolesCommand(ORG, "ada", Set.of("developer"), "ada"))
                .expectExceptionDetails(rejection("last_org_admin", 409, Map.of()))
                .expectNoEvents();
    }

    @Test
    void theLastOrgAdminCannotBeRemoved() {
        fixture.given(created(), creatorAdded(), added("bob", "developer"))
                .when(new RemoveMemberCommand(ORG, "ada", "ada"))
                .expectExceptionDetails(rejection("last_org_admin", 409, Map.of()))
                .expectNoEvents();
    }

    @Test
    void anAdminMayBeRemovedOrDemotedWhileAnotherRemains() {
        fixture.given(created(), creatorAdded(), added("bob", "admin"))
                .andGivenCurrentTime(T1)
                .when(new RemoveMemberCommand(ORG, "ada", "bob"))
                .expectEvents(new MemberRemovedEvent(ORG, "ada", "bob", T1))
                .expectState(org -> assertThat(org.members()).isEqualTo(Map.of("bob", Set.of("admin"))));
        fixture.given(created(), creatorAdded(), added("bob", "admin"))
                .andGivenCurrentTime(T1)
                .when(new ChangeMemberRolesCommand(ORG, "ada", Set.of("viewer"), "bob"))
                .expectEvents(new MemberRolesChangedEvent(ORG, "ada", List.of("viewer"), List.of("admin"), "bob", T1));
    }

    @Test
    void aCustomOrgAdminRoleCountsAsAdmin() {
        RolePermissions owner = new RolePermissions(AccessLevel.NONE, AccessLevel.NONE, AccessLevel.NONE, true);
        fixture.given(created(), creatorAdded(), new RoleDefinedEvent(ORG, "owner", owner, "ada", T0),
                        added("bob", "owner"))
                .andGivenCurrentTime(T1)
                .when(new RemoveMemberCommand(ORG, "ada", "bob"))
                .expectEvents(new MemberRemovedEvent(ORG, "ada", "bob", T1));
    }

    @Test
    void removingNeedsAnActor() {
        fixture.given(created(), creatorAdded(), added("bob", "viewer"))
                .when(new RemoveMemberCommand(ORG, "bob", null))
                .expectExceptionDetails(rejection("actor_required", 400, Map.of()))
                .expectNoEvents();
        fixture.given(created(), creatorAdded(), added("bob", "viewer"))
                .when(new ChangeMemberRolesCommand(ORG, "bob", Set.of("developer"), " "))
                .expectExceptionDetails(rejection("actor_required", 400, Map.of()))
                .expectNoEvents();
    }

    @Test
    void aRemovedMemberMayBeAddedAgain() {
        fixture.given(created(), creatorAdded(), added("bob", "viewer"), new MemberRemovedEvent(ORG, "bob", "ada", T0))
                .andGivenCurrentTime(T1)
                .when(new AddMemberCommand(ORG, "bob", Set.of("developer"), "ada"))
                .expectEvents(new MemberAddedEvent(ORG, "bob", List.of("developer"), "ada", T1));
    }
}
