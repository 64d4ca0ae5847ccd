package io.phasegate.query.audit;

import io.phasegate.platform.redaction.Redactor;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Short human-readable texts of audit records: a template per event type with {@code {field}} placeholders filled from
 * the record's (already redacted) summary, and a generic text for every other type. Add a line to {@link #TEMPLATES}
 * to describe a new event type better; nothing else depends on it.
 */
final class AuditDescriptions {

    static final int MAX_LENGTH = 500;

    private static final Map<String, String> TEMPLATES = Map.ofEntries(
            Map.entry("WorkflowPublishedEvent", "Workflow {workflow_id} version {version} published by {published_by}"),
            Map.entry("TaskCreatedEvent", "Task {task_id} created by {created_by} (workflow {workflow_id} v{workflow_version})"),
            Map.entry("TaskClaimedEvent", "Task {task_id} claimed by {agent_id} in phase {phase}"),
            Map.entry("TaskLeaseRenewedEvent", "Lease of task {task_id} renewed by {agent_id}"),
            Map.entry("TaskReleasedEvent", "Task {task_id} released by {agent_id}"),
            Map.entry("TaskClaimExpiredEvent", "Claim of task {task_id} by {agent_id} expired"),
            Map.entry("PhaseTokenRefreshedEvent", "Phase token of task {task_id} refreshed by {agent_id}"),
            Map.entry("TaskTransitionedEvent", "Task {task_id} moved from {from_phase} to {to_phase} by {agent_id}"),
            Map.entry("TaskTransitionRejectedEvent",
                    "Transition of task {task_id} from {from_phase} to {target_phase} by {agent_id} rejected"),
            Map.entry("TaskCompletedEvent", "Task {task_id} completed in phase {phase}"),
            Map.entry("TaskCancelledEvent", "Task {task_id} cancelled by {cancelled_by}"),
            Map.entry("ReviewsRequestedEvent", "{count} review(s) of task {task_id} requested in phase {phase}"),
            Map.entry("ReviewSubmittedEvent", "Review of task {task_id} by {reviewer_id}: {verdict}"),
            Map.entry("ToolCallDecidedEvent", "Call of tool {tool_name} by {agent_id} on task {task_id}: {decision}"),
            Map.entry("ToolCallOutcomeReportedEvent", "Call {call_id} of tool {tool_name} on task {task_id}: {status}"),
            Map.entry("ToolApprovalRequestedEvent", "Approval {approval_id} of tool {tool_name} on task {task_id} requested"),
            Map.entry("ToolApprovalGrantedEvent", "Approval {approval_id} on task {task_id} granted by {granted_by}"),
            Map.entry("ToolApprovalDeniedEvent", "Approval {approval_id} on task {task_id} denied by {denied_by}"),
            // organisations
            Map.entry("OrganisationCreatedEvent", "Organisation {org_id} ({name}) created by {created_by}"),
            Map.entry("MemberAddedEvent", "Member {subject} added to organisation {org_id} by {added_by}"),
            Map.entry("MemberRemovedEvent", "Member {subject} removed from organisation {org_id} by {removed_by}"),
            Map.entry("MemberRolesChangedEvent", "Roles of member {subject} changed by {changed_by}"),
            Map.entry("RoleDefinedEvent", "Role {role} of organisation {org_id} defined by {defined_by}"),
            // docks (summaries never hold credential material: see AuditRecordFactory#CIPHER_FIELDS)
            Map.entry("DockRegisteredEvent", "Dock {dock_id} ({name}, provider {provider}) registered by {registered_by}"),
            Map.entry("CredentialRotationStartedEvent",
                    "Credential rotation {rotation_id} of dock {dock_id} started by {requested_by}"),
            Map.entry("CredentialRotatedEvent",
                    "Credentials of dock {dock_id} rotated to version {current_version} (rotation {rotation_id})"),
            Map.entry("CredentialRotationFailedEvent",
                    "Credential rotation {rotation_id} of dock {dock_id} failed; version {current_version} stays current"),
            Map.entry("CredentialRetiredEvent", "Credential version {version} of dock {dock_id} retired"),
            Map.entry("DockCredentialDecryptedEvent",
                    "Credential version {version} of dock {dock_id} decrypted by {actor} for {purpose}"),
            Map.entry("DockDeletedEvent", "Dock {dock_id} deleted by {deleted_by}; its data key was destroyed"),
            // resources
            Map.entry("ResourceProvisioningRequestedEvent",
                    "Provisioning of resource {resource_id} ({name}) on dock {dock_id} requested by {requested_by}"),
            Map.entry("ResourceImportedEvent",
                    "Resource {resource_id} ({name}) imported from dock {dock_id} by {imported_by}"),
            Map.entry("ResourceProvisionedEvent", "Resource {resource_id} provisioned as {provider_resource_id}"),
            Map.entry("ResourceUpdateRequestedEvent",
                    "Update of resource {resource_id} to revision {revision} requested by {requested_by}"),
            Map.entry("ResourceUpdatedEvent", "Resource {resource_id} updated to revision {revision}"),
            Map.entry("ResourceDeprovisioningRequestedEvent",
                    "Deprovisioning of resource {resource_id} requested by {requested_by}"),
            Map.entry("ResourceDeprovisionedEvent", "Resource {resource_id} deprovisioned"),
            Map.entry("ResourceOperationAttemptFailedEvent",
                    "Attempt {attempt} of operation {operation_id} of resource {resource_id} failed"),
            Map.entry("ResourceOperationFailedEvent",
                    "Operation {operation_id} of resource {resource_id} failed after {attempts} attempt(s)"));

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z0-9_]+)}");

    private AuditDescriptions() {
    }

    static String describe(String eventType, String aggregateType, String aggregateId, Map<String, Object> summary) {
        String template = TEMPLATES.get(eventType);
        String text;
        if (template != null) {
            Matcher matcher = PLACEHOLDER.matcher(template);
            StringBuilder out = new StringBuilder();
            while (matcher.find()) {
                Object value = summary.get(matcher.group(1));
                String replacement = value == null || value instanceof Map<?, ?> || value instanceof Iterable<?>
                        ? "?" : String.valueOf(value);
                matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
            }
            matcher.appendTail(out);
            text = out.toString();
        } else if (aggregateId != null) {
            text = eventType + " on " + (aggregateType == null ? "aggregate" : aggregateType) + " " + aggregateId;
        } else {
            text = eventType;
        }
        String safe = Redactor.looksSecret(text) ? eventType : text;
        return Redactor.cut(safe, MAX_LENGTH);
    }
}
