package io.phasegate.e2e;

/**
 * Two query-service instances in the axonserver storage mode (Axon Server routes queries and stream subscriptions to
 * either). Skipped unless an Axon Server is configured ({@code PHASEGATE_E2E_AXONSERVER}); see
 * docs/adr/0013-axon-server-mode.md.
 */
class AxonServerTwoQueryInstancesIT extends TwoQueryInstancesContract {

    @Override
    PhasegateSystem.Mode mode() {
        return PhasegateSystem.Mode.AXONSERVER;
    }
}
