package io.phasegate.platform.axon;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.kagkarlsson.scheduler.exceptions.ExecutionException;
import com.github.kagkarlsson.scheduler.exceptions.TaskInstanceNotFoundException;
import com.github.kagkarlsson.scheduler.task.Execution;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import io.phasegate.platform.web.ApiException;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

/**
 * A deadline that another command-service instance cancelled while this one was cancelling it is a concurrent change
 * (409 {@code conflict}, the unit of work rolled back), not an internal error: db-scheduler reports it either when
 * looking the execution up or when removing it (seen in {@code PostgresTwoCommandInstancesReliabilityIT}'s
 * heartbeat race as a 500).
 */
class AxonProblemMapperTest {

    private final AxonProblemMapper mapper = new AxonProblemMapper();
    private final Execution execution = new Execution(Instant.now(), new TaskInstance<>("AxonDeadline", "d-1"));

    @Test
    void aDeadlineGoneWhileCancellingItIsAConflict() {
        for (Throwable gone : new Throwable[]{
                new TaskInstanceNotFoundException("Failed to find task-instance", "AxonDeadline"),
                new ExecutionException("Expected one execution to be removed, but removed 0. Indicates a bug.",
                        execution)}) {
            Optional<ApiException> problem = mapper.map(new RuntimeException("command failed", gone));
            assertThat(problem).as(gone.toString()).isPresent();
            assertThat(problem.get().status()).isEqualTo(HttpStatus.CONFLICT);
            assertThat(problem.get().code()).isEqualTo("conflict");
        }
    }

    @Test
    void otherSchedulerFailuresAreNotConflicts() {
        Optional<ApiException> problem = mapper.map(new RuntimeException(
                new ExecutionException("Failed to serialize task data", execution)));
        assertThat(problem.map(ApiException::status)).isNotEqualTo(Optional.of(HttpStatus.CONFLICT));
    }
}
