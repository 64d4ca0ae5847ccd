package io.phasegate.query.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.ResolvableType;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.http.codec.ServerSentEventHttpMessageWriter;
import org.springframework.mock.http.server.reactive.MockServerHttpResponse;
import reactor.core.publisher.Flux;

/** The streams' pre-formatted frames are byte for byte what Spring's SSE writer puts on the wire. */
class SseFramesTest {

    @Test
    void framesEqualSpringsSseEncoding() {
        List<ServerSentEvent<String>> events = List.of(
                ServerSentEvent.<String>builder().id("42").event("TaskCreatedEvent")
                        .data("{\"position\":42,\"summary\":\"caf\u00e9 \u2013 ok\"}").build(),
                ServerSentEvent.<String>builder().comment(" stream open").retry(Duration.ofSeconds(3)).build(),
                ServerSentEvent.<String>builder().comment(" keep-alive").build());
        for (ServerSentEvent<String> event : events) {
            assertThat(new String(AuditStreams.frame(event), StandardCharsets.UTF_8)).as(event.toString())
                    .isEqualTo(springWrites(event));
        }
    }

    @Test
    void dataWithLineBreaksIsRefused() {
        assertThatThrownBy(() -> AuditStreams.frame(ServerSentEvent.<String>builder().data("a\nb").build()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static String springWrites(ServerSentEvent<String> event) {
        MockServerHttpResponse response = new MockServerHttpResponse();
        new ServerSentEventHttpMessageWriter().write(Flux.just(event),
                ResolvableType.forClassWithGenerics(ServerSentEvent.class, String.class), MediaType.TEXT_EVENT_STREAM,
                response, Map.of()).block(Duration.ofSeconds(5));
        return response.getBodyAsString().block(Duration.ofSeconds(5));
    }
}
