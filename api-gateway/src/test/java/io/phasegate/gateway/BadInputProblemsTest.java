package io.phasegate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.phasegate.platform.web.ApiException;
import java.lang.reflect.Constructor;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.security.web.server.firewall.ServerExchangeRejectedException;
import reactor.netty.http.client.PrematureCloseException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The gateway's own answers to bad input (ADR 0012). */
class BadInputProblemsTest {

    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void aRequestTheFirewallRejectsGetsAProblemDocument() {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/api/v1/tasks/x"));
        new BadInputProblems().problemExchangeRejectedHandler(json)
                .handle(exchange, new ServerExchangeRejectedException("encoded NUL")).block();

        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(exchange.getResponse().getHeaders().getContentType()).hasToString("application/problem+json");
        JsonNode body = json.readTree(exchange.getResponse().getBodyAsString().block());
        assertThat(body.path("code").asString()).isEqualTo("malformed_request");
        assertThat(body.path("status").asInt()).isEqualTo(400);
        assertThat(body.toString()).doesNotContain("NUL").doesNotContain("Exception");
    }

    @Test
    void aServiceThatStoppedReadingTheBodyMeansTheBodyWasTooLarge() throws Exception {
        Optional<ApiException> mapped = BadInputProblems.bodyRefused(new RuntimeException("wrapped",
                premature("Connection has been closed BEFORE response, while sending request body")));
        assertThat(mapped).hasValueSatisfying(problem -> {
            assertThat(problem.status()).isEqualTo(HttpStatus.PAYLOAD_TOO_LARGE);
            assertThat(problem.code()).isEqualTo("payload_too_large");
        });
        // a service that closed after reading the request is a different failure: not mapped here
        assertThat(BadInputProblems.bodyRefused(premature("Connection prematurely closed BEFORE response"))).isEmpty();
        assertThat(BadInputProblems.bodyRefused(new IllegalStateException("request body"))).isEmpty();
    }

    @Test
    void aPrematureCloseWhileForwardingAChunkedBodyIsA413AndOtherwiseStaysAnError() throws Exception {
        var filter = new BadInputProblems().chunkedBodyRefused();
        PrematureCloseException closed = premature("Connection prematurely closed BEFORE response");
        org.springframework.cloud.gateway.filter.GatewayFilterChain failing = exchange -> reactor.core.publisher.Mono.error(closed);

        Throwable mapped = filter.filter(MockServerWebExchange.from(MockServerHttpRequest.put("/api/v1/workflows/w")
                .header("Transfer-Encoding", "chunked")), failing).materialize().block().getThrowable();
        assertThat(mapped).isInstanceOfSatisfying(ApiException.class,
                problem -> assertThat(problem.status()).isEqualTo(HttpStatus.PAYLOAD_TOO_LARGE));

        // with a Content-Length (or none at all) the failure is not about the body: left to the 5xx handling
        Throwable kept = filter.filter(MockServerWebExchange.from(MockServerHttpRequest.post("/api/v1/tasks")
                .contentLength(10)), failing).materialize().block().getThrowable();
        assertThat(kept).isSameAs(closed);
    }

    private static PrematureCloseException premature(String message) throws Exception {
        Constructor<PrematureCloseException> constructor = PrematureCloseException.class.getDeclaredConstructor(String.class);
        constructor.setAccessible(true);
        return constructor.newInstance(message);
    }
}
