package io.phasegate.command.web;

import io.phasegate.events.task.TransitionBlocker;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The shapes of the command API's answers that the controllers build as maps (their answers are stored and replayed
 * as JSON by the {@code Idempotency-Key} support), for the OpenAPI document only: {@code @ApiResponse} annotations name
 * them, and springdoc models them with the wire's snake_case names. {@code H2OpenApiDocumentTest} calls the
 * representative endpoints and checks their answers against these (docs/adr/0014-openapi.md).
 */
final class CommandResponses {

    private CommandResponses() {
    }

    static final String JSON = "application/json";

    @Schema(name = "TaskCancelled", requiredProperties = {"task_id", "status", "position"})
    record TaskCancelled(String taskId, @Schema(allowableValues = "cancelled") String status, long position) {
    }

    @Schema(name = "ReviewSubmitted", requiredProperties = {"review_id", "task_id", "verdict", "position"})
    record ReviewSubmitted(String reviewId, String taskId,
                           @Schema(allowableValues = {"approve", "changes_requested"}) String verdict, long position) {
    }

    @Schema(name = "ApprovalDecided", requiredProperties = {"approval_id", "task_id", "status", "position"})
    record ApprovalDecided(String approvalId, String taskId, @Schema(allowableValues = {"granted", "denied"}) String status,
                           long position) {
    }

    @Schema(name = "ClaimedTask", description = "The claimed task.", requiredProperties = {"task_id", "title", "status",
            "phase", "workflow_id", "workflow_version", "depends_on", "required_capabilities", "priority", "claimed_by",
            "lease_expires_at"})
    record ClaimedTask(String taskId, String title, @Schema(allowableValues = "claimed") String status, String phase,
                       String workflowId, int workflowVersion, List<String> dependsOn,
                       List<String> requiredCapabilities, int priority, String claimedBy, Instant leaseExpiresAt) {
    }

    @Schema(name = "TaskClaim", requiredProperties = {"task", "phase_token", "expires_at", "lease_expires_at",
            "position"})
    record TaskClaim(ClaimedTask task, @Schema(description = "The phase token (JWT) of the claim.") String phaseToken,
                     @Schema(description = "When the phase token expires.") Instant expiresAt,
                     @Schema(description = "When the claim lapses unless renewed (heartbeat).") Instant leaseExpiresAt,
                     long position) {
    }

    @Schema(name = "TransitionResult", description = "allowed: new_token, expires_at and warnings; refused (gates or "
            + "structure): blockers.", requiredProperties = {"allowed", "phase", "position"})
    record TransitionResult(boolean allowed, @Schema(description = "The task's phase after the request.") String phase,
                            @Schema(description = "The phase token of the new phase (allowed only).") String newToken,
                            @Schema(description = "When new_token expires (allowed only).") Instant expiresAt,
                            @Schema(description = "Non-blocking findings (allowed only).") List<TransitionBlocker> warnings,
                            @Schema(description = "Why it was refused (refused only).") List<TransitionBlocker> blockers,
                            long position) {
    }

    @Schema(name = "PhaseTokenRefreshed", requiredProperties = {"phase_token", "expires_at", "position"})
    record PhaseTokenRefreshed(String phaseToken, Instant expiresAt, long position) {
    }

    @Schema(name = "LeaseRenewed", requiredProperties = {"lease_expires_at", "position"})
    record LeaseRenewed(Instant leaseExpiresAt, long position) {
    }

    @Schema(name = "TaskReleased", requiredProperties = {"released", "task_id", "position"})
    record TaskReleased(boolean released, String taskId, long position) {
    }

    @Schema(name = "ToolExecuted", requiredProperties = {"result", "call_id", "position"})
    record ToolExecuted(@Schema(description = "The executor's result, or {\"status\": \"authorized\"} for a tool "
            + "without executor (the agent runs it and reports the outcome).") Map<String, Object> result,
                        String callId,
                        @Schema(description = "Present when the policy allowed the call with warnings.")
                        List<String> warnings,
                        @Schema(description = "The approval that allowed the call, if one did.") String approvalId,
                        long position) {
    }

    @Schema(name = "ToolOutcomeReported", requiredProperties = {"call_id", "status", "position"})
    record ToolOutcomeReported(String callId, String status, long position) {
    }

    @Schema(name = "DockRegistered", requiredProperties = {"dock_id", "credential_version", "position"})
    record DockRegistered(String dockId, int credentialVersion, long position) {
    }

    @Schema(name = "DockRotationStarted", requiredProperties = {"dock_id", "rotation_id", "candidate_version",
            "position"})
    record DockRotationAccepted(String dockId, String rotationId, int candidateVersion, long position) {
    }

    @Schema(name = "DockDeleted", requiredProperties = {"dock_id", "position"})
    record DockDeleted(String dockId, long position) {
    }

    @Schema(name = "MemberRemoved", requiredProperties = {"org_id", "subject", "removed", "position"})
    record MemberRemoved(String orgId, String subject, boolean removed, long position) {
    }

    @Schema(name = "MasterKeyRewrap", requiredProperties = {"master_key_version", "rewrapped", "already_current",
            "destroyed_skipped", "failed"})
    record MasterKeyRewrap(int masterKeyVersion, int rewrapped, int alreadyCurrent, int destroyedSkipped, int failed) {
    }

    @Schema(name = "MasterKeyRotation", requiredProperties = {"master_key_version", "rewrapped", "already_current",
            "destroyed_skipped", "failed", "previous_master_key_version"})
    record MasterKeyRotation(int masterKeyVersion, int rewrapped, int alreadyCurrent, int destroyedSkipped, int failed,
                             int previousMasterKeyVersion) {
    }

    @Schema(name = "PhaseTokenKeyRing", requiredProperties = {"active_kid", "kids"})
    record PhaseTokenKeyRing(String activeKid, List<String> kids) {
    }

    @Schema(name = "JsonWebKey", description = "A public EC key (P-256, ES256) that verifies phase tokens.",
            requiredProperties = {"kty", "crv", "x", "y", "kid"})
    record JsonWebKey(String kty, String use, String crv, String kid, String x, String y, String alg) {
    }

    @Schema(name = "JsonWebKeySet", requiredProperties = {"keys"})
    record JsonWebKeySet(List<JsonWebKey> keys) {
    }
}
