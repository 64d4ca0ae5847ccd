package io.phasegate.gateway;

import io.phasegate.platform.web.ApiException;
import io.phasegate.platform.web.ProblemDetailsExceptionHandler;
import io.phasegate.platform.web.ProblemMapper;
import java.util.Optional;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.security.web.server.firewall.ServerExchangeRejectedHandler;
import reactor.netty.http.client.PrematureCloseException;
import tools.jackson.databind.ObjectMapper;

/**
 * Bad input the gateway answers itself, as problem documents (ADR 0012):
 * <ul>
 *   <li>a request Spring Security's firewall rejects (an encoded NUL, line break, {@code %2F} or {@code ..} in the
 *   path, a malformed percent-encoding) answers {@code 400 malformed_request} instead of a bare 400;</li>
 *   <li>a service that stops reading a request body (it refuses bodies above its 256 KB cap with 413 and closes the
 *   connection) used to surface as a {@code PrematureCloseException} "while sending request body", i.e. a 500; it
 *   answers {@code 413 payload_too_large}, what the service said. A chunked body (no {@code Content-Length}) is
 *   checked by the service cap only, and then the close may also be seen as "BEFORE response": for a chunked request
 *   {@link #chunkedBodyRefused} maps that too. (A service that dies while receiving a chunked upload is reported
 *   the same way; bodies with a {@code Content-Length} are drained by the service's 413 and never hit this.)</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
class BadInputProblems {

    /** Picked up by Spring Security's {@code WebFilterChainProxy}. */
    @Bean
    ServerExchangeRejectedHandler problemExchangeRejectedHandler(ObjectMapper json) {
        return (exchange, rejected) -> ProblemDetailsExceptionHandler.write(exchange, rejectedProblem(), json);
    }

    static ApiException rejectedProblem() {
        return new ApiException(HttpStatus.BAD_REQUEST, "malformed_request",
                "The request URL has characters or sequences that are not allowed.");
    }

    @Bean
    ProblemMapper bodyRefusedByServiceMapper() {
        return BadInputProblems::bodyRefused;
    }

    /** A premature close while forwarding a chunked request body: the service refused the body (see above). */
    @Bean
    org.springframework.cloud.gateway.filter.GlobalFilter chunkedBodyRefused() {
        return (exchange, chain) -> {
            var headers = exchange.getRequest().getHeaders();
            boolean chunked = headers.getContentLength() < 0
                    && String.valueOf(headers.getFirst(org.springframework.http.HttpHeaders.TRANSFER_ENCODING))
                            .toLowerCase(java.util.Locale.ROOT).contains("chunked");
            return chunked ? chain.filter(exchange).onErrorMap(BadInputProblems::isPrematureClose,
                    e -> bodyRefused(e).orElseGet(BadInputProblems::tooLarge)) : chain.filter(exchange);
        };
    }

    static boolean isPrematureClose(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof PrematureCloseException) {
                return true;
            }
        }
        return false;
    }

    static ApiException tooLarge() {
        return new ApiException(HttpStatus.PAYLOAD_TOO_LARGE, "payload_too_large", "The request body is too large.");
    }

    static Optional<ApiException> bodyRefused(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof PrematureCloseException && String.valueOf(t.getMessage()).contains("request body")) {
                return Optional.of(new ApiException(HttpStatus.PAYLOAD_TOO_LARGE, "payload_too_large",
                        "The request body is too large."));
            }
        }
        return Optional.empty();
    }
}
