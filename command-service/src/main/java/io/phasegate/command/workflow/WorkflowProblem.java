package io.phasegate.command.workflow;

import java.util.Objects;

/**
 * One problem found in a workflow definition document.
 *
 * @param path    JSON-pointer-like location of the problem, e.g. {@code /phases/2/tools/allowed} or
 *                {@code /transitions/0/to}; {@code ""} denotes the whole document
 * @param message human-readable description of the problem
 */
public record WorkflowProblem(String path, String message) {

    public WorkflowProblem {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return (path.isEmpty() ? "(document)" : path) + ": " + message;
    }
}
