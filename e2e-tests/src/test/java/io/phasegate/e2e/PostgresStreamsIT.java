package io.phasegate.e2e;

/** Streams and the audit trail in the postgres storage mode. */
class PostgresStreamsIT extends StreamsContract {

    @Override
    PhasegateSystem.Mode mode() {
        return PhasegateSystem.Mode.POSTGRES;
    }
}
