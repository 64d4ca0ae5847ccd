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
 *   answers {@code 413 payload_too_large}, what the service said.</li>
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
