package io.phasegate.command.idempotency;

import io.phasegate.platform.axon.Rejections;
import java.util.Optional;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.messaging.InterceptorChain;
import org.axonframework.messaging.MessageHandlerInterceptor;
import org.axonframework.messaging.unitofwork.UnitOfWork;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A handler interceptor on the command bus: for a command that carries an {@link IdempotencyMark}, it marks the
 * reservation {@code committed} (with the handler's result) in the command's own transaction, after the handler ran
 * and before its events are stored. The mark and the events therefore commit (or roll back) together: a reservation
 * is {@code committed} exactly when its command's events are in the store (JDBC event store; see the ADR for the
 * {@code axonserver} mode).
 *
 * <p>The update only matches while the command's attempt still holds the reservation. If its lease ran out and
 * another request with the key took it over, nothing matches and the command is rejected ({@code 409
 * idempotency_key_in_use}) and rolls back: at most one command per key ever commits. The row lock the update takes
 * also makes a concurrent take-over wait for this transaction, and then see {@code committed}.
 */
final class IdempotencyCommitMarker implements MessageHandlerInterceptor<CommandMessage<?>> {

    private static final int MAX_RESULT = 512;

    private final JdbcTemplate jdbc;

    IdempotencyCommitMarker(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Object handle(UnitOfWork<? extends CommandMessage<?>> unitOfWork, InterceptorChain interceptorChain)
            throws Exception {
        Optional<IdempotencyMark> mark = IdempotencyMark.of(unitOfWork.getMessage().getMetaData());
        if (mark.isEmpty()) {
            return interceptorChain.proceed();
        }
        Object result = interceptorChain.proceed();
        IdempotencyMark m = mark.get();
        int marked = jdbc.update("UPDATE idempotency_records SET state = 'committed', result = ? "
                        + "WHERE org_id = ? AND idem_key = ? AND attempt = ? AND state IN ('pending', 'committed')",
                resultText(result), m.orgId(), m.key(), m.attempt());
        if (marked == 0) {
            throw Rejections.command("idempotency_key_in_use", 409,
                    "A request with this Idempotency-Key is being processed; retry shortly.");
        }
        return result;
    }

    /** A short, textual handler result (an id, a number) is kept so the committed answer can name it. */
    private static String resultText(Object result) {
        if (result instanceof CharSequence || result instanceof Number || result instanceof Boolean) {
            String text = result.toString();
            return text.length() <= MAX_RESULT ? text : null;
        }
        return null;
    }
}
