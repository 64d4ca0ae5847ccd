package io.phasegate.platform.observability;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.phasegate.events.common.ErrorDetails;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.messaging.HandlerExecutionException;
import org.axonframework.messaging.InterceptorChain;
import org.axonframework.messaging.MessageHandlerInterceptor;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.modelling.command.ConcurrencyException;

/**
 * Times every command handled on this instance's command bus: the timer {@value #METER} tagged with {@code command}
 * (the payload's simple class name) and {@code outcome}, measured from the start of handling to the end of its unit
 * of work (so a failed commit counts as a failure):
 * <ul>
 *   <li>{@code success}: handled and committed;</li>
 *   <li>{@code rejected}: a domain rejection with a 4xx status (rule violated, not found, state conflict);</li>
 *   <li>{@code conflict}: a concurrency conflict on the aggregate (another command appended first);</li>
 *   <li>{@code error}: anything else.</li>
 * </ul>
 * Tags never carry identifiers: the command types are the classes of the published language.
 */
public class CommandMetricsInterceptor implements MessageHandlerInterceptor<CommandMessage<?>> {

    public static final String METER = "phasegate.commands";

    private final MeterRegistry registry;

    public CommandMetricsInterceptor(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Object handle(UnitOfWork<? extends CommandMessage<?>> unitOfWork, InterceptorChain interceptorChain)
            throws Exception {
        String command = unitOfWork.getMessage().getPayloadType().getSimpleName();
        long start = System.nanoTime();
        unitOfWork.onCleanup(u -> {
            String outcome = u.isRolledBack() || (u.getExecutionResult() != null
                    && u.getExecutionResult().isExceptionResult())
                    ? outcomeOf(u.getExecutionResult() == null ? null : u.getExecutionResult().getExceptionResult())
                    : "success";
            Timer.builder(METER)
                    .description("Commands handled, by command type and outcome")
                    .tag("command", command)
                    .tag("outcome", outcome)
                    .publishPercentileHistogram(false)
                    .register(registry)
                    .record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        });
        return interceptorChain.proceed();
    }

    static String outcomeOf(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConcurrencyException) {
                return "conflict";
            }
            if (t instanceof AggregateNotFoundException) {
                return "rejected";
            }
            if (t instanceof HandlerExecutionException execution) {
                Object details = execution.getDetails().orElse(null);
                if (details instanceof ErrorDetails d && d.status() >= 400 && d.status() < 500) {
                    return "rejected";
                }
            }
        }
        return "error";
    }
}
