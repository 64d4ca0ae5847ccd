package io.phasegate.platform.identity;

import io.phasegate.platform.web.ApiException;

/**
 * Who may run operations that affect every organisation (phase-token key rotation, projection rebuilds): the
 * {@code admin}s of one configured operator organisation ({@code phasegate.admin.operator-org}, environment
 * {@code PHASEGATE_OPERATOR_ORG}). Unset, nobody may; the embedded launcher sets it to the demo organisation. Admins
 * of any other organisation get 403 like everybody else.
 *
 * @param operatorOrg the operator organisation, or null/blank for none
 */
public record OperatorPolicy(String operatorOrg) {

    public boolean allows(CallerIdentity caller) {
        return operatorOrg != null && !operatorOrg.isBlank() && operatorOrg.equals(caller.orgId())
                && caller.can(Permission.Area.ORG_ADMIN, Permission.Level.FULL);
    }

    /** Throws 403 {@code forbidden} unless {@code caller} is an operator. */
    public void require(CallerIdentity caller) {
        if (!allows(caller)) {
            throw ApiException.forbidden("Only administrators of the operator organisation may do this.");
        }
    }
}
