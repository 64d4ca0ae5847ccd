package io.phasegate.command.org;

import static org.axonframework.modelling.command.AggregateLifecycle.apply;

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
import io.phasegate.platform.axon.Rejections;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.axonframework.commandhandling.CommandHandler;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.modelling.command.AggregateCreationPolicy;
import org.axonframework.modelling.command.AggregateIdentifier;
import org.axonframework.modelling.command.CreationPolicy;
import org.axonframework.spring.stereotype.Aggregate;

/**
 * An organisation (SPEC §2.5): its roles with their permissions and its members with their roles. Rules:
 * <ul>
 *   <li>ids and role names are lower-case slugs; every command names its actor;</li>
 *   <li>an organisation is created once, with the default roles, and its creator as first {@code admin} member;</li>
 *   <li>a member's roles are roles the organisation defines (at least one); a subject is a member at most once;</li>
 *   <li>at least one member keeps a role with org admin: the last one cannot be removed or demoted, neither by
 *   changing its roles nor by redefining its roles.</li>
 * </ul>
 * Who may send these commands is decided by the HTTP layer.
 */
@Aggregate
class Organisation {

    @AggregateIdentifier
    private String orgId;
    private final Map<String, RolePermissions> roles = new HashMap<>();
    private final Map<String, Set<String>> members = new HashMap<>();

    Organisation() {
        // for Axon
    }

    @CommandHandler
    @CreationPolicy(AggregateCreationPolicy.CREATE_IF_MISSING)
    void handle(CreateOrganisationCommand command) {
        if (orgId != null) {
            throw Rejections.command("organisation_exists", 409, "The organisation already exists.");
        }
        requireOrgId(command.orgId());
        requireActor(command.createdBy());
        if (command.name() == null || command.name().isBlank()
                || command.name().length() > OrganisationNames.MAX_NAME_LENGTH) {
            throw Rejections.command("invalid_name", 400,
                    "The name must be 1 to " + OrganisationNames.MAX_NAME_LENGTH + " characters, not blank.");
        }
        requireSubject(command.createdBy());
        Instant now = now();
        apply(new OrganisationCreatedEvent(command.orgId(), command.name(), RolePermissions.DEFAULT_ROLES,
                command.createdBy(), now));
        apply(new MemberAddedEvent(command.orgId(), command.createdBy(), List.of("admin"), command.createdBy(), now));
    }

    @CommandHandler
    void handle(DefineRoleCommand command) {
        requireActor(command.definedBy());
        if (!OrganisationNames.isSlug(command.role())) {
            throw Rejections.command("invalid_role", 400, "A role name must be a lower-case slug.");
        }
        RolePermissions permissions = command.permissions();
        if (permissions == null) {
            throw Rejections.command("invalid_permissions", 400, "The role needs its permissions.");
        }
        if (permissions.audit() == AccessLevel.FULL) {
            throw Rejections.command("invalid_permissions", 400, "The audit permission is 'read' or 'none'.");
        }
        if (permissions.equals(roles.get(command.role()))) {
            return; // already so defined: nothing changes
        }
        Map<String, RolePermissions> after = new HashMap<>(roles);
        after.put(command.role(), permissions);
        requireAnAdminRemains(members, after);
        apply(new RoleDefinedEvent(orgId, command.role(), permissions, command.definedBy(), now()));
    }

    @CommandHandler
    void handle(AddMemberCommand command) {
        requireActor(command.addedBy());
        requireSubject(command.subject());
        requireDefinedRoles(command.roles());
        if (members.containsKey(command.subject())) {
            throw Rejections.command("member_exists", 409, "The subject is already a member; change its roles instead.");
        }
        apply(new MemberAddedEvent(orgId, command.subject(), List.copyOf(new TreeSet<>(command.roles())),
                command.addedBy(), now()));
    }

    @CommandHandler
    void handle(ChangeMemberRolesCommand command) {
        requireActor(command.changedBy());
        requireSubject(command.subject());
        Set<String> previous = requireMember(command.subject());
        requireDefinedRoles(command.roles());
        if (previous.equals(command.roles())) {
            return; // the member already has exactly these roles
        }
        Map<String, Set<String>> after = new HashMap<>(members);
        after.put(command.subject(), Set.copyOf(command.roles()));
        requireAnAdminRemains(after, roles);
        apply(new MemberRolesChangedEvent(orgId, command.subject(), List.copyOf(new TreeSet<>(command.roles())),
                List.copyOf(new TreeSet<>(previous)), command.changedBy(), now()));
    }

    @CommandHandler
    void handle(RemoveMemberCommand command) {
        requireActor(command.removedBy());
        requireSubject(command.subject());
        requireMember(command.subject());
        Map<String, Set<String>> after = new HashMap<>(members);
        after.remove(command.subject());
        requireAnAdminRemains(after, roles);
        apply(new MemberRemovedEvent(orgId, command.subject(), command.removedBy(), now()));
    }

    @EventSourcingHandler
    void on(OrganisationCreatedEvent event) {
        orgId = event.orgId();
        roles.clear();
        roles.putAll(event.roles());
    }

    @EventSourcingHandler
    void on(RoleDefinedEvent event) {
        roles.put(event.role(), event.permissions());
    }

    @EventSourcingHandler
    void on(MemberAddedEvent event) {
        members.put(event.subject(), Set.copyOf(event.roles()));
    }

    @EventSourcingHandler
    void on(MemberRolesChangedEvent event) {
        members.put(event.subject(), Set.copyOf(event.roles()));
    }

    @EventSourcingHandler
    void on(MemberRemovedEvent event) {
        members.remove(event.subject());
    }

    String orgId() {
        return orgId;
    }

    Map<String, RolePermissions> roles() {
        return Map.copyOf(roles);
    }

    Map<String, Set<String>> members() {
        return Map.copyOf(members);
    }

    private Set<String> requireMember(String subject) {
        Set<String> current = members.get(subject);
        if (current == null) {
            throw Rejections.command("member_not_found", 404, "No such member.");
        }
        return current;
    }

    private void requireDefinedRoles(Set<String> requested) {
        if (requested.isEmpty()) {
            throw Rejections.command("roles_required", 400, "A member needs at least one role.");
        }
        if (requested.size() > OrganisationNames.MAX_ROLES_PER_MEMBER) {
            throw Rejections.command("too_many_roles", 400,
                    "A member has at most " + OrganisationNames.MAX_ROLES_PER_MEMBER + " roles.");
        }
        TreeSet<String> unknown = new TreeSet<>();
        for (String role : requested) {
            if (role == null || !roles.containsKey(role)) {
                unknown.add(String.valueOf(role));
            }
        }
        if (!unknown.isEmpty()) {
            throw Rejections.command("unknown_role", 422,
                    "The organisation does not define the role(s) " + String.join(", ", unknown) + ".",
                    Map.of("unknown_roles", List.copyOf(unknown)));
        }
    }

    private static void requireAnAdminRemains(Map<String, Set<String>> members, Map<String, RolePermissions> roles) {
        boolean anAdmin = members.values().stream().anyMatch(held -> held.stream()
                .map(roles::get).anyMatch(permissions -> permissions != null && permissions.orgAdmin()));
        if (!anAdmin) {
            throw Rejections.command("last_org_admin", 409,
                    "At least one member must keep a role with org admin; this change would leave none.");
        }
    }

    private static void requireOrgId(String orgId) {
        if (!OrganisationNames.isSlug(orgId)) {
            throw Rejections.command("invalid_org_id", 400, "An organisation id must be a lower-case slug.");
        }
    }

    private static void requireActor(String actor) {
        if (actor == null || actor.isBlank()) {
            throw Rejections.command("actor_required", 400, "The command must name who sends it.");
        }
    }

    private static void requireSubject(String subject) {
        if (!OrganisationNames.isSubject(subject)) {
            throw Rejections.command("invalid_subject", 400, "A subject is 1 to 255 visible ASCII characters.");
        }
    }

    private static Instant now() {
        return GenericEventMessage.clock.instant();
    }
}
