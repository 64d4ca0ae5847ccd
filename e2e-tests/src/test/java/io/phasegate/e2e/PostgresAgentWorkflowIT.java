package io.phasegate.e2e;

/** The agent contract in the postgres storage mode. */
class PostgresAgentWorkflowIT extends AgentWorkflowContract {

    @Override
    PhasegateSystem.Mode mode() {
        return PhasegateSystem.Mode.POSTGRES;
    }
}
