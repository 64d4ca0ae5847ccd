package io.phasegate.e2e;

/** Two query-service instances in the postgres storage mode. */
class PostgresTwoQueryInstancesIT extends TwoQueryInstancesContract {

    @Override
    PhasegateSystem.Mode mode() {
        return PhasegateSystem.Mode.POSTGRES;
    }
}
