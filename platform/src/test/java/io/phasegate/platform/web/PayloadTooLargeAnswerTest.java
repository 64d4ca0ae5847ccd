package io.phasegate.platform.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import reactor.core.publisher.Flux;
import tools.jackson.databind.json.JsonMapper;

/**
 * A 413 answer reads and discards a bounded announced body before closing, so the client receives the answer instead
 * of a reset connection; an unbounded or huge body is not read (ADR 0012).
 */
class PayloadTooLargeAnswerTest {

    private static final ApiException TOO_LARGE = new ApiException(HttpStatus.PAYLOAD_TOO_LARGE, "payload_too_large",
            "The request body is too large.");

    @Test
    void aBoundedAnnouncedBodyIsDrainedBeforeTheAnswer() {
        AtomicLong read = new AtomicLong();
        AtomicBoolean completed = new AtomicBoolean();
        MockServerWebExchange exchange = exchange(2 * 1024 * 1024, 2 * 1024 * 1024, read, completed);

        ProblemDetailsExceptionHandler.write(exchange, TOO_LARGE, JsonMapper.builder().build()).block();

        assertThat(completed).as("the whole body was read").isTrue();
        assertThat(read.get()).isEqualTo(2L * 1024 * 1024);
        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.PAYLOAD_TOO_LARGE);
        assertThat(exchange.getResponse().getHeaders().getConnection()).contains("close");
        assertThat(exchange.getResponse().getBodyAsString().block()).contains("\"code\":\"payload_too_large\"");
    }

    @Test
    void aHugeOrUnannouncedBodyIsNotRead() {
        for (long announced : new long[] {ProblemDetailsExceptionHandler.DRAIN_LIMIT_BYTES + 1, -1}) {
            AtomicLong read = new AtomicLong();
            AtomicBoolean completed = new AtomicBoolean();
            MockServerWebExchange exchange = exchange(announced, 64 * 1024, read, completed);

            ProblemDetailsExceptionHandler.write(exchange, TOO_LARGE, JsonMapper.builder().build()).block();

            assertThat(read.get()).as("announced " + announced).isZero();
            assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.PAYLOAD_TOO_LARGE);
            assertThat(exchange.getResponse().getHeaders().getConnection()).contains("close");
        }
    }

    private static MockServerWebExchange exchange(long announced, int actual, AtomicLong read, AtomicBoolean completed) {
        byte[] chunk = "x".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII);
        Flux<DataBuffer> body = Flux.range(0, actual / chunk.length)
                .map(i -> (DataBuffer) DefaultDataBufferFactory.sharedInstance.wrap(chunk.clone()))
                .doOnNext(b -> read.addAndGet(b.readableByteCount()))
                .doOnComplete(() -> completed.set(true));
        MockServerHttpRequest.BodyBuilder request = MockServerHttpRequest.post("/api/v1/tasks");
        if (announced >= 0) {
            request.contentLength(announced);
        }
        return MockServerWebExchange.from(request.body(body));
    }
}
