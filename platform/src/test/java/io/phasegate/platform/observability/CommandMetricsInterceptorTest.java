package io.phasegate.platform.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.phasegate.platform.axon.Rejections;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.commandhandling.SimpleCommandBus;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.commandhandling.gateway.DefaultCommandGateway;
import org.axonframework.messaging.MetaData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** The command timer and the correlation interceptors on a real {@link SimpleCommandBus} with real handlers. */
class CommandMetricsInterceptorTest {

    record DoIt(String how) {
    }

    record Other() {
    }

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicReference<MetaData> handledMetaData = new AtomicReference<>();
    private final AtomicReference<String> mdcWhileHandling = new AtomicReference<>();
    private CommandGateway gateway;

    @BeforeEach
    void bus() {
        SimpleCommandBus bus = SimpleCommandBus.builder().build();
        bus.registerDispatchInterceptor(new CorrelationDispatchInterceptor<CommandMessage<?>>());
        bus.registerHandlerInterceptor(new CorrelationMdcInterceptor<CommandMessage<?>>());
        bus.registerHandlerInterceptor(new CommandMetricsInterceptor(registry));
        bus.subscribe(DoIt.class.getName(), message -> {
            handledMetaData.set(message.getMetaData());
            mdcWhileHandling.set(MDC.get(CorrelationIds.MDC_KEY));
            DoIt command = (DoIt) message.getPayload();
            return switch (command.how()) {
                case "reject" -> throw Rejections.command("task_not_claimable", 422, "not claimable");
                case "not-found" -> throw Rejections.command("not_found", 404, "no such task");
                case "conflict" -> throw new org.axonframework.modelling.command.ConcurrencyException("stale");
                case "claimed" -> throw Rejections.command("task_already_claimed", 409, "claimed");
                case "crash" -> throw new IllegalStateException("boom");
                default -> "done";
            };
        });
        bus.subscribe(Other.class.getName(), message -> null);
        gateway = DefaultCommandGateway.builder().commandBus(bus).build();
    }

    @AfterEach
    void clearMdc() {
        MDC.clear();
    }

    @Test
    void successfulCommandsAreTimedByTypeWithOutcomeSuccess() {
        assertThat((String) gateway.sendAndWait(new DoIt("ok"))).isEqualTo("done");
        gateway.sendAndWait(new DoIt("ok"));
        gateway.sendAndWait(new Other());

        Timer doIt = registry.find(CommandMetricsInterceptor.METER).tags("command", "DoIt", "outcome", "success").timer();
        assertThat(doIt).isNotNull();
        assertThat(doIt.count()).isEqualTo(2);
        assertThat(doIt.totalTime(java.util.concurrent.TimeUnit.NANOSECONDS)).isPositive();
        assertThat(registry.find(CommandMetricsInterceptor.METER).tags("command", "Other", "outcome", "success")
                .timer().count()).isEqualTo(1);
        assertThat(registry.find(CommandMetricsInterceptor.METER).tag("outcome", "error").timer()).isNull();
    }

    @Test
    void failuresAreTimedWithTheirOutcome() {
        assertThatThrownBy(() -> gateway.sendAndWait(new DoIt("reject"))).hasMessageContaining("not claimable");
        assertThatThrownBy(() -> gateway.sendAndWait(new DoIt("not-found"))).hasMessageContaining("no such task");
        assertThatThrownBy(() -> gateway.sendAndWait(new DoIt("conflict"))).hasMessageContaining("stale");
        assertThatThrownBy(() -> gateway.sendAndWait(new DoIt("crash"))).hasMessageContaining("boom");
        assertThatThrownBy(() -> gateway.sendAndWait(new DoIt("claimed"))).hasMessageContaining("claimed");

        assertThat(count("DoIt", "rejected")).isEqualTo(3);
        assertThat(count("DoIt", "conflict")).isEqualTo(1);
        assertThat(count("DoIt", "error")).isEqualTo(1);
        assertThat(count("DoIt", "success")).isZero();
        // only the two bounded tags: never an identifier
        registry.find(CommandMetricsInterceptor.METER).timers().forEach(timer ->
                assertThat(timer.getId().getTags()).extracting(tag -> tag.getKey())
                        .containsExactlyInAnyOrder("command", "outcome"));
    }

    @Test
    void aCommandSentForARequestCarriesItsCorrelationIdAndHandlersLogWithIt() throws Exception {
        CorrelationIds.callWith("req-42", () -> gateway.sendAndWait(new DoIt("ok")));

        assertThat(handledMetaData.get()).containsEntry(CorrelationIds.METADATA_KEY, "req-42")
                .containsEntry(CorrelationIds.TRACE_ID_KEY, "req-42");
        assertThat(mdcWhileHandling.get()).isEqualTo("req-42");
        assertThat(MDC.get(CorrelationIds.MDC_KEY)).isNull();
    }

    @Test
    void metadataAMessageAlreadyCarriesWins() throws Exception {
        CorrelationIds.callWith("req-43", () -> gateway.sendAndWait(GenericCommandMessage.asCommandMessage(
                new DoIt("ok")).andMetaData(Map.of(CorrelationIds.METADATA_KEY, "earlier"))));
        assertThat(handledMetaData.get()).containsEntry(CorrelationIds.METADATA_KEY, "earlier");

        gateway.sendAndWait(new DoIt("ok"));
        assertThat(handledMetaData.get()).doesNotContainKey(CorrelationIds.METADATA_KEY);
        assertThat(mdcWhileHandling.get()).isNull();
    }

    private long count(String command, String outcome) {
        Timer timer = registry.find(CommandMetricsInterceptor.METER).tags("command", command, "outcome", outcome).timer();
        return timer == null ? 0 : timer.count();
    }
}
