package io.phasegate.platform.identity;

import io.phasegate.platform.web.ApiException;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who may run operations that affect every organisation (phase-token key rotation, projection rebuilds): the
 * {@code admin}s of the configured operator organisations ({@code phasegate.admin.operator-org}, environment
 * {@code PHASEGATE_OPERATOR_ORG}; comma-separated). Unset, nobody may; the embedded launcher sets it to the demo
 * organisation. Admins of any other organisation get 403 like everybody else.
 *
 * @param operatorOrgs the operator organisations (may be empty)
 */
public record OperatorPolicy(Set<String> operatorOrgs) {

    public OperatorPolicy {
        operatorOrgs = Set.copyOf(operatorOrgs);
    }

    /** From a comma-separated list; null or blank for none. */
    public static OperatorPolicy of(String operatorOrgs) {
        return new OperatorPolicy(operatorOrgs == null ? Set.of() : Arrays.stream(operatorOrgs.split(","))
                .map(String::strip).filter(org -> !org.isEmpty()).collect(Collectors.toSet()));
    }

    public boolean allows(CallerIdentity caller) {
        return operatorOrgs.contains(caller.orgId()) && caller.can(Permission.Area.ORG_ADMIN, Permission.Level.FULL);
    }

    /** Throws 403 {@code forbidden} unless {@code caller} is an operator. */
    public void require(CallerIdentity caller) {
        if (!allows(caller)) {
            throw ApiException.forbidden("Only administrators of the operator organisation may do this.");
        }
    }
}
