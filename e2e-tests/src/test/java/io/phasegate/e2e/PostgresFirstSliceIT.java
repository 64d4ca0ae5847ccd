package io.phasegate.e2e;

/** The first slice in the postgres storage mode: the Axon JDBC event store and projections on PostgreSQL. */
class PostgresFirstSliceIT extends FirstSliceContract {

    @Override
    PhasegateSystem.Mode mode() {
        return PhasegateSystem.Mode.POSTGRES;
    }
}
