package io.phasegate.platform.observability;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import org.axonframework.messaging.Message;
import org.axonframework.messaging.MessageDispatchInterceptor;

/**
 * Stamps a message dispatched while the thread works for a correlation id (MDC) with that id: as
 * {@value CorrelationIds#METADATA_KEY} and, when the message starts a new chain, as Axon's
 * {@value CorrelationIds#TRACE_ID_KEY}. Axon's correlation data providers then copy both to every event and command
 * the message causes, and the audit trail records the trace id as the correlation id. Metadata a message already
 * carries wins (a message dispatched while handling another keeps the chain it belongs to).
 */
public class CorrelationDispatchInterceptor<T extends Message<?>> implements MessageDispatchInterceptor<T> {

    @Override
    @SuppressWarnings("unchecked")
    public BiFunction<Integer, T, T> handle(List<? extends T> messages) {
        return (index, message) -> {
            Optional<String> id = CorrelationIds.current();
            if (id.isEmpty() || message.getMetaData().containsKey(CorrelationIds.METADATA_KEY)) {
                return message;
            }
            Map<String, Object> added = new HashMap<>();
            added.put(CorrelationIds.METADATA_KEY, id.get());
            if (!message.getMetaData().containsKey(CorrelationIds.TRACE_ID_KEY)) {
                added.put(CorrelationIds.TRACE_ID_KEY, id.get());
            }
            return (T) message.andMetaData(added);
        };
    }
}
