package io.phasegate.command.position;

import io.phasegate.command.idempotency.IdempotencyMark;
import io.phasegate.platform.web.BlockingExecutor;
import java.util.Optional;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Sends a command from the reactive HTTP layer: off the event loop, on the bounded blocking scheduler, and answers
 * with the global position of the last event it produced ({@code -1} when it produced none). A command sent for a
 * request with an {@code Idempotency-Key} carries its reservation ({@link IdempotencyMark}, from the Reactor context)
 * in its meta-data.
 */
@Component
public class CommandSender {

    private final CommandGateway commands;
    private final CommandReceipts receipts;
    private final EventPositions positions;
    private final BlockingExecutor blocking;

    public CommandSender(CommandGateway commands, CommandReceipts receipts, EventPositions positions,
                         BlockingExecutor blocking) {
        this.commands = commands;
        this.receipts = receipts;
        this.positions = positions;
        this.blocking = blocking;
    }

    public Mono<Long> send(Object command) {
        return call(command).map(Sent::position);
    }

    /** Like {@link #send}, and also answers what the command handler returned ({@code null} for void handlers). */
    public <R> Mono<Sent<R>> call(Object command) {
        return Mono.deferContextual(context -> blocking.call(() -> {
            CommandMessage<?> message = GenericCommandMessage.asCommandMessage(command);
            Optional<IdempotencyMark> mark = IdempotencyMark.in(context);
            if (mark.isPresent()) {
                message = message.andMetaData(mark.get().metaData());
            }
            receipts.expect(message.getIdentifier());
            R result;
            try {
                result = commands.sendAndWait(message);
            } catch (RuntimeException e) {
                receipts.take(message.getIdentifier());
                throw e;
            }
            long position = positions.positionAfter(receipts.take(message.getIdentifier()));
            return new Sent<>(result, position);
        }));
    }

    /** A command's result and the global position of the last event it produced ({@code -1} for none). */
    public record Sent<R>(R result, long position) {
    }
}
