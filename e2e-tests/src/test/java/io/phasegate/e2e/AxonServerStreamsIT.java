package io.phasegate.e2e;

/**
 * The audit streams in the axonserver storage mode: Axon Server as event store and message router, projections, tokens, sagas
 * and deadlines on PostgreSQL. Skipped unless an Axon Server is configured ({@code PHASEGATE_E2E_AXONSERVER}); see
 * docs/adr/0013-axon-server-mode.md.
 */
class AxonServerStreamsIT extends StreamsContract {

    @Override
    PhasegateSystem.Mode mode() {
        return PhasegateSystem.Mode.AXONSERVER;
    }
}
