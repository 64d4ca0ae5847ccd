package io.phasegate.e2e;

/** Streams and the audit trail in the embedded storage mode. */
class EmbeddedStreamsIT extends StreamsContract {

    @Override
    PhasegateSystem.Mode mode() {
        return PhasegateSystem.Mode.EMBEDDED;
    }
}
