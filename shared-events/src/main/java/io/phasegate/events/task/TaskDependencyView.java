package io.phasegate.events.task;

/**
 * A task that another task depends on. {@code status} is a {@link TaskStatus#wire() task status}, or
 * {@value #UNKNOWN} (and {@code title} null) for a task id the query side does not know.
 */
public record TaskDependencyView(String taskId, String title, String status) {
    public static final String UNKNOWN = "unknown";
}
