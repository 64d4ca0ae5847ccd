package io.phasegate.e2e;

/** Organisations, docks and resource provisioning in the embedded storage mode. */
class EmbeddedProvisioningIT extends ProvisioningContract {

    @Override
    PhasegateSystem.Mode mode() {
        return PhasegateSystem.Mode.EMBEDDED;
    }
}
