package io.phasegate.e2e;

/** The first slice in the embedded storage mode: the Axon JDBC event store on an H2 server. */
class EmbeddedFirstSliceIT extends FirstSliceContract {

    @Override
    PhasegateSystem.Mode mode() {
        return PhasegateSystem.Mode.EMBEDDED;
    }
}
