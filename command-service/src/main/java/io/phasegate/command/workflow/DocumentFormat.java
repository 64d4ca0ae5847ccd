package io.phasegate.command.workflow;

/** The syntax a workflow definition document is written in (SPEC §2.1). */
public enum DocumentFormat {
    YAML,
    JSON
}
