package io.phasegate.e2e;

/** The agent contract in the embedded storage mode. */
class EmbeddedAgentWorkflowIT extends AgentWorkflowContract {

    @Override
    PhasegateSystem.Mode mode() {
        return PhasegateSystem.Mode.EMBEDDED;
    }
}
