package io.phasegate.e2e;

/** Two query-service instances in the embedded (H2) storage mode. */
class EmbeddedTwoQueryInstancesIT extends TwoQueryInstancesContract {

    @Override
    PhasegateSystem.Mode mode() {
        return PhasegateSystem.Mode.EMBEDDED;
    }
}
