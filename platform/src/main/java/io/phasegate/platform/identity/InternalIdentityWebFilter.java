package io.phasegate.platform.identity;

import io.phasegate.platform.web.ApiException;
import io.phasegate.platform.web.ProblemDetailsExceptionHandler;
import java.util.List;
import java.util.Optional;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;
import tools.jackson.databind.ObjectMapper;

/**
 * Refuses every API request that does not carry a valid internal identity token from the gateway, so nothing
 * bypasses the gateway's authentication (SPEC §4.3). The verified caller is put in the exchange attributes.
 */
public class InternalIdentityWebFilter implements WebFilter, Ordered {

    public static final String CALLER_ATTRIBUTE = CallerIdentity.class.getName();

    private final InternalTokenVerifier verifier;
    private final List<String> protectedPrefixes;
    private final ObjectMapper json;

    public InternalIdentityWebFilter(InternalTokenVerifier verifier, List<String> protectedPrefixes, ObjectMapper json) {
        this.verifier = verifier;
        this.protectedPrefixes = List.copyOf(protectedPrefixes);
        this.json = json;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String path = exchange.getRequest().getPath().pathWithinApplication().value();
        if (protectedPrefixes.stream().noneMatch(path::startsWith)) {
            return chain.filter(exchange);
        }
        String token = exchange.getRequest().getHeaders().getFirst(InternalTokens.HEADER);
        Optional<CallerIdentity> caller = verifier.verify(token);
        if (caller.isEmpty()) {
            return ProblemDetailsExceptionHandler.write(exchange, ApiException.unauthenticated(
                    "This service accepts requests only through the api-gateway."), json);
        }
        exchange.getAttributes().put(CALLER_ATTRIBUTE, caller.get());
        return chain.filter(exchange);
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 10;
    }
}
