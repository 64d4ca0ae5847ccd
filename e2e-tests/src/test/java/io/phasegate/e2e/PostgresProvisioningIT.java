package io.phasegate.e2e;

/** Organisations, docks and resource provisioning in the PostgreSQL storage mode. */
class PostgresProvisioningIT extends ProvisioningContract {

    @Override
    PhasegateSystem.Mode mode() {
        return PhasegateSystem.Mode.POSTGRES;
    }
}
