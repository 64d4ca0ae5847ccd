package io.phasegate.events.task;

/** Lifecycle status of a task (SPEC §2.2). */
public enum TaskStatus {
    CREATED, CLAIMED, COMPLETED, CANCELLED;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
