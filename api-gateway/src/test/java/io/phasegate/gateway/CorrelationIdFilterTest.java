package io.phasegate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import io.phasegate.platform.observability.CorrelationIds;
import org.junit.jupiter.api.Test;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The gateway's correlation filter in front of a handler that stands for the service behind: what the service
 * receives (the forwarded header) and what the client gets back.
 */
class CorrelationIdFilterTest {

    /** Answers the correlation id it received, as the proxied service would see it. */
    private final WebTestClient http = WebTestClient
            .bindToRouterFunction(route(GET("/api/v1/tasks"), request -> ServerResponse.ok()
                    .bodyValue(String.valueOf(request.headers().firstHeader(CorrelationIds.HEADER)))))
            .webFilter(new CorrelationIdFilter())
            .build();

    @Test
    void aValidIdIsKeptForwardedAndAnswered() {
        EntityExchangeResult<String> result = get("7b0c1e52-client:req_1.2");
        assertThat(result.getResponseBody()).isEqualTo("7b0c1e52-client:req_1.2");
        assertThat(result.getResponseHeaders().get(CorrelationIds.HEADER)).containsExactly("7b0c1e52-client:req_1.2");
    }

    @Test
    void aMissingOrInvalidIdIsReplacedAndTheNewOneForwardedAndAnswered() {
        for (String invalid : new String[]{null, "", "a b", "<script>", "x".repeat(65), "line\tbreak", "é"}) {
            EntityExchangeResult<String> result = get(invalid);
            String answered = result.getResponseHeaders().getFirst(CorrelationIds.HEADER);
            assertThat(answered).as("for %s", invalid).isNotNull().isNotEqualTo(invalid);
            assertThat(CorrelationIds.isValid(answered)).isTrue();
            assertThat(result.getResponseBody()).as("forwarded").isEqualTo(answered);
        }
        assertThat(get(null).getResponseHeaders().getFirst(CorrelationIds.HEADER))
                .isNotEqualTo(get(null).getResponseHeaders().getFirst(CorrelationIds.HEADER));
    }

    @Test
    void refusedRequestsAnswerTheIdToo() {
        String answered = http.get().uri("/nowhere").header(CorrelationIds.HEADER, "lost-1").exchange()
                .expectStatus().isNotFound()
                .returnResult(String.class).getResponseHeaders().getFirst(CorrelationIds.HEADER);
        assertThat(answered).isEqualTo("lost-1");
    }

    private EntityExchangeResult<String> get(String correlationId) {
        WebTestClient.RequestHeadersSpec<?> request = http.get().uri("/api/v1/tasks");
        if (correlationId != null) {
            request = request.header(CorrelationIds.HEADER, correlationId);
        }
        return request.exchange().expectStatus().isOk().expectBody(String.class).returnResult();
    }
}
