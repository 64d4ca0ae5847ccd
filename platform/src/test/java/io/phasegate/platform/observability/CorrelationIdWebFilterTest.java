package io.phasegate.platform.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import io.phasegate.platform.web.BlockingExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.server.ServerResponse;

/** The services' correlation filter: kept or replaced ids, the response header, the MDC of the blocking work. */
class CorrelationIdWebFilterTest {

    private final BlockingExecutor blocking = new BlockingExecutor(2, 10);
    private final WebTestClient http = WebTestClient
            .bindToRouterFunction(route(GET("/work"), request -> blocking
                    .call(() -> String.valueOf(MDC.get(CorrelationIds.MDC_KEY)))
                    .flatMap(mdc -> ServerResponse.ok().bodyValue(mdc))))
            .webFilter(new CorrelationIdWebFilter())
            .build();

    @AfterEach
    void close() {
        blocking.close();
    }

    @Test
    void aValidIdIsKeptAnsweredAndInTheMdcOfTheBlockingWork() {
        String body = http.get().uri("/work").header(CorrelationIds.HEADER, "client-req_1:2.3")
                .exchange()
                .expectStatus().isOk()
                .expectHeader().valueEquals(CorrelationIds.HEADER, "client-req_1:2.3")
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(body).isEqualTo("client-req_1:2.3");
    }

    @Test
    void aMissingOrInvalidIdIsReplacedByANewOne() {
        for (String invalid : new String[]{null, "", "has space", "quote\"d", "x".repeat(65), "-leading-dash",
                "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXRoYXQtaXMtcXVpdGUtbG9uZy1pbmRlZWQtaW5kZWVk"}) {
            WebTestClient.RequestHeadersSpec<?> request = http.get().uri("/work");
            if (invalid != null) {
                request = request.header(CorrelationIds.HEADER, invalid);
            }
            var result = request.exchange().expectStatus().isOk().expectBody(String.class).returnResult();
            String answered = result.getResponseHeaders().getFirst(CorrelationIds.HEADER);
            assertThat(answered).as("for %s", invalid).isNotNull().isNotEqualTo(invalid);
            assertThat(CorrelationIds.isValid(answered)).isTrue();
            assertThat(result.getResponseBody()).isEqualTo(answered);
        }
        assertThat(CorrelationIds.isValid("x".repeat(64))).isTrue();
    }

    @Test
    void theBlockingThreadKeepsNoCorrelationIdAfterwards() {
        http.get().uri("/work").header(CorrelationIds.HEADER, "first").exchange().expectStatus().isOk();
        String leftover = blocking.call(() -> String.valueOf(MDC.get(CorrelationIds.MDC_KEY))).block();
        assertThat(leftover).isEqualTo("null");
    }
}
