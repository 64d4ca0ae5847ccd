package io.phasegate.command.workflow;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A workflow definition document was rejected; carries every problem that was found, not just the first.
 */
public class InvalidWorkflowException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final List<WorkflowProblem> problems;

    public InvalidWorkflowException(List<WorkflowProblem> problems) {
        super(describe(problems));
        this.problems = List.copyOf(problems);
    }

    /** The problems found, in document order (cross-reference problems last); never empty. */
    public List<WorkflowProblem> problems() {
        return problems;
    }

    private static String describe(List<WorkflowProblem> problems) {
        if (problems == null || problems.isEmpty()) {
            throw new IllegalArgumentException("an invalid workflow needs at least one problem");
        }
        return "invalid workflow definition (" + problems.size()
                + (problems.size() == 1 ? " problem): " : " problems): ")
                + problems.stream().map(WorkflowProblem::toString).collect(Collectors.joining("; "));
    }
}
