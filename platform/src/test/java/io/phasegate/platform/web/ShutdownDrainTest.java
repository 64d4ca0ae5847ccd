package io.phasegate.platform.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * The shutdown drain: answers keep their connection until the application stops; from then on, for the drain
 * period, every answer closes its connection — also one whose request arrived before — and only then does the
 * lifecycle move on to the web server's shutdown.
 */
class ShutdownDrainTest {

    @Test
    void answersCloseTheirConnectionFromTheStopOnAndTheStopCompletesAfterTheDrain() throws Exception {
        ShutdownDrain drain = new ShutdownDrain(Duration.ofMillis(400));
        drain.start();
        assertThat(drain.isRunning()).isTrue();
        assertThat(connectionHeader(drain, null)).as("before the shutdown").isNull();

        // a request that arrived before the stop and is answered after it
        MockServerWebExchange inFlight = MockServerWebExchange.from(MockServerHttpRequest.get("/api/v1/tasks"));
        drain.filter(inFlight, exchange -> Mono.empty()).block();

        CountDownLatch stopped = new CountDownLatch(1);
        long stopAt = System.nanoTime();
        drain.stop(stopped::countDown);
        assertThat(drain.draining()).isTrue();
        assertThat(drain.isRunning()).as("still serving during the drain").isTrue();

        inFlight.getResponse().setComplete().block();
        assertThat(inFlight.getResponse().getHeaders().getFirst(HttpHeaders.CONNECTION)).isEqualTo("close");
        assertThat(connectionHeader(drain, null)).as("a request during the drain").isEqualTo("close");

        assertThat(stopped.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - stopAt)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        assertThat(drain.isRunning()).isFalse();
    }

    private static String connectionHeader(ShutdownDrain drain, WebFilterChain chain) {
        ServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/api/v1/tasks"));
        drain.filter(exchange, chain != null ? chain : e -> e.getResponse().setComplete()).block();
        return exchange.getResponse().getHeaders().getFirst(HttpHeaders.CONNECTION);
    }
}
