package io.phasegate.gateway;

import io.phasegate.platform.observability.CorrelationIds;
import org.springframework.core.Ordered;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * The correlation id of every request (docs/operations.md): a client's {@value CorrelationIds#HEADER} is kept when
 * it is valid (1-64 characters of letters, digits and {@code . _ : -}), anything else is replaced by a new UUID. The
 * id is forwarded to the service that handles the request (which puts it into its logs and into the metadata of the
 * commands and events the request causes) and answered in the response, also for requests the gateway itself
 * refuses (401, 429, ...). Runs before everything else, security included.
 */
@Component
public class CorrelationIdFilter implements WebFilter, Ordered {

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String id = CorrelationIds.acceptOrGenerate(exchange.getRequest().getHeaders().getFirst(CorrelationIds.HEADER));
        ServerHttpRequest request = exchange.getRequest().mutate()
                .headers(headers -> headers.set(CorrelationIds.HEADER, id))
                .build();
        exchange.getResponse().getHeaders().set(CorrelationIds.HEADER, id);
        // the proxied response's headers replace the gateway's: set it again just before the response is committed
        exchange.getResponse().beforeCommit(() -> {
            exchange.getResponse().getHeaders().set(CorrelationIds.HEADER, id);
            return Mono.empty();
        });
        return chain.filter(exchange.mutate().request(request).build())
                .contextWrite(context -> context.put(CorrelationIds.CONTEXT_KEY, id));
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
