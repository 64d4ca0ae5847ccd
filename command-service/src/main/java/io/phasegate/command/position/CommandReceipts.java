package io.phasegate.command.position;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.messaging.Message;
import org.axonframework.messaging.MessageDispatchInterceptor;
import org.axonframework.messaging.unitofwork.CurrentUnitOfWork;

/**
 * Remembers, per command message sent through {@link CommandSender}, the last domain event the command produced.
 * Axon publishes a unit of work's events when it prepares to commit, inside the command's unit of work; this
 * dispatch interceptor on the event bus sees them there and files the last one under the command's message id.
 * The sender takes the entry out once the command completed (and always removes it, also on failure).
 */
public final class CommandReceipts {

    /** The aggregate and sequence number of an event: enough to find its global position once committed. */
    public record Receipt(String aggregateId, long sequenceNumber) {
    }

    private final Map<String, Receipt> pending = new ConcurrentHashMap<>();

    void expect(String commandMessageId) {
        pending.put(commandMessageId, NONE);
    }

    Optional<Receipt> take(String commandMessageId) {
        Receipt receipt = pending.remove(commandMessageId);
        return receipt == null || receipt == NONE ? Optional.empty() : Optional.of(receipt);
    }

    private static final Receipt NONE = new Receipt("", -1);

    MessageDispatchInterceptor<EventMessage<?>> eventRecorder() {
        return new MessageDispatchInterceptor<>() {
            @Override
            public BiFunction<Integer, EventMessage<?>, EventMessage<?>> handle(List<? extends EventMessage<?>> messages) {
                return (index, message) -> {
                    if (message instanceof DomainEventMessage<?> domain && CurrentUnitOfWork.isStarted()) {
                        Message<?> root = CurrentUnitOfWork.get().root().getMessage();
                        if (root instanceof CommandMessage<?> command) {
                            pending.computeIfPresent(command.getIdentifier(), (id, previous) ->
                                    new Receipt(domain.getAggregateIdentifier(), domain.getSequenceNumber()));
                        }
                    }
                    return message;
                };
            }
        };
    }
}
