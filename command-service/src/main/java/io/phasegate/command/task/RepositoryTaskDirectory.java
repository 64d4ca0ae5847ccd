package io.phasegate.command.task;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.modelling.command.Repository;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;

/** Looks tasks up in the event-sourced {@link Task} aggregates. */
@Component
class RepositoryTaskDirectory implements TaskDirectory {

    private final Repository<Task> tasks;

    RepositoryTaskDirectory(@Lazy Repository<Task> tasks) {
        this.tasks = tasks;
    }

    @Override
    public Optional<String> organisationOf(String taskId) {
        AtomicReference<String> org = new AtomicReference<>();
        try {
            tasks.load(taskId).execute(task -> org.set(task.orgId()));
        } catch (AggregateNotFoundException e) {
            return Optional.empty();
        }
        return Optional.ofNullable(org.get());
    }
}
