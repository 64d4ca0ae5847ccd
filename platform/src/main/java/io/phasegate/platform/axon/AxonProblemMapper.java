package io.phasegate.platform.axon;

import io.phasegate.events.common.ErrorDetails;
import io.phasegate.platform.web.ApiException;
import io.phasegate.platform.web.ProblemMapper;
import java.util.Optional;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.commandhandling.NoHandlerForCommandException;
import org.axonframework.messaging.HandlerExecutionException;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.modelling.command.ConcurrencyException;
import org.axonframework.queryhandling.NoHandlerForQueryException;
import org.springframework.http.HttpStatus;

/** Maps Axon's exceptions, and the {@link ErrorDetails} that handlers attach to them, to problem details. */
public class AxonProblemMapper implements ProblemMapper {

    /** db-scheduler's exception (an optional dependency here, so matched by name). */
    static final String DEADLINE_GONE = "com.github.kagkarlsson.scheduler.exceptions.TaskInstanceNotFoundException";
    /** db-scheduler's exception when the execution it was removing had been removed already. */
    static final String EXECUTION_FAILED = "com.github.kagkarlsson.scheduler.exceptions.ExecutionException";

    /** Whether {@code t} is db-scheduler finding a deadline gone that it was cancelling. */
    static boolean deadlineGone(Throwable t) {
        String type = t.getClass().getName();
        return DEADLINE_GONE.equals(type) || EXECUTION_FAILED.equals(type) && t.getMessage() != null
                && t.getMessage().startsWith("Expected one execution to be removed, but removed 0");
    }

    @Override
    public Optional<ApiException> map(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof HandlerExecutionException execution) {
                Optional<ErrorDetails> details = execution.getDetails()
                        .filter(ErrorDetails.class::isInstance).map(ErrorDetails.class::cast);
                if (details.isPresent()) {
                    ErrorDetails d = details.get();
                    HttpStatus status = HttpStatus.resolve(d.status());
                    return Optional.of(new ApiException(status == null ? HttpStatus.UNPROCESSABLE_CONTENT : status,
                            d.code(), d.message(), d.extra()));
                }
            }
            if (t instanceof AggregateNotFoundException) {
                return Optional.of(ApiException.notFound("not_found", "No such resource."));
            }
            if (t instanceof ConcurrencyException || deadlineGone(t)) {
                // deadlineGone: cancelling the aggregate's deadline found it already cancelled (looked up, or removed
                // in between) — another command-service instance changed the same aggregate at the same time (the
                // unit of work rolls back)
                return Optional.of(new ApiException(HttpStatus.CONFLICT, "conflict",
                        "The resource was changed concurrently; retry with its current state."));
            }
            if (t instanceof NoHandlerForCommandException || t instanceof NoHandlerForQueryException) {
                return Optional.of(new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "unavailable",
                        "The service cannot handle this request right now."));
            }
            if (t instanceof CommandExecutionException) {
                break;
            }
        }
        return Optional.empty();
    }
}
