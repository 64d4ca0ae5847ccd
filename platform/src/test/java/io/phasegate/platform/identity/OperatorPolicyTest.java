package io.phasegate.platform.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.phasegate.platform.web.ApiException;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OperatorPolicyTest {

    private static final CallerIdentity OPERATOR_ADMIN = new CallerIdentity("ada", "ops", Set.of("admin"));

    @Test
    void onlyAdminsOfTheOperatorOrganisationAreOperators() {
        OperatorPolicy policy = OperatorPolicy.of("ops, ops-2");

        assertThat(policy.allows(OPERATOR_ADMIN)).isTrue();
        assertThat(policy.allows(new CallerIdentity("cy", "ops-2", Set.of("admin")))).isTrue();
        assertThat(policy.allows(new CallerIdentity("bob", "ops", Set.of("developer", "auditor")))).isFalse();
        assertThat(policy.allows(new CallerIdentity("eve", "acme", Set.of("admin")))).isFalse();
        assertThat(policy.allows(CallerIdentity.phaseTokenBearer())).isFalse();
        assertThatThrownBy(() -> policy.require(new CallerIdentity("eve", "acme", Set.of("admin"))))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status().value()).isEqualTo(403));
    }

    @Test
    void withoutAnOperatorOrganisationNobodyIsAnOperator() {
        assertThat(OperatorPolicy.of("").allows(OPERATOR_ADMIN)).isFalse();
        assertThat(OperatorPolicy.of(null).allows(OPERATOR_ADMIN)).isFalse();
        assertThat(OperatorPolicy.of(" , ").allows(OPERATOR_ADMIN)).isFalse();
        assertThat(OperatorPolicy.of("-").allows(CallerIdentity.phaseTokenBearer())).isFalse();
    }
}
