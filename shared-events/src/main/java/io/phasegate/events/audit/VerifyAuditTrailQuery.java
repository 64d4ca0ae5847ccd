package io.phasegate.events.audit;

/** Verifies the hash chain of an organisation's audit trail. Answers an {@link AuditVerificationView}. */
public record VerifyAuditTrailQuery(String orgId) {
}
