package io.phasegate.command.task;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.modelling.command.Repository;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;

/** Looks tasks up in the event-sourced {@link Task} aggregates. */
@Component
class RepositoryTaskDirectory implements TaskDirectory {

    private final Repository<Task> tasks;
    private final EventStore events;

    RepositoryTaskDirectory(@Lazy Repository<Task> tasks, EventStore events) {
        this.tasks = tasks;
        this.events = events;
    }

    @Override
    public Optional<String> organisationOf(String taskId) {
        if (events.lastSequenceNumberFor(taskId).isEmpty()) {
            return Optional.empty(); // cheap check first: loading a missing aggregate throws (and logs)
        }
        AtomicReference<String> org = new AtomicReference<>();
        try {
            tasks.load(taskId).execute(task -> org.set(task.orgId()));
        } catch (AggregateNotFoundException e) {
            return Optional.empty();
        }
        return Optional.ofNullable(org.get());
    }
}
