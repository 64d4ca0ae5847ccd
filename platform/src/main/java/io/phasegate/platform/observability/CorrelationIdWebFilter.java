package io.phasegate.platform.observability;

import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * The services' end of the correlation id: takes the {@value CorrelationIds#HEADER} the gateway forwarded (a missing
 * or invalid one, as on a direct call, is replaced by a new id), answers it in the response and puts it into the
 * request's Reactor context, from where {@code BlockingExecutor} puts it into the MDC of the thread that runs the
 * request's blocking work (and so into the metadata of the commands it sends).
 */
public class CorrelationIdWebFilter implements WebFilter, Ordered {

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String id = CorrelationIds.acceptOrGenerate(exchange.getRequest().getHeaders().getFirst(CorrelationIds.HEADER));
        exchange.getResponse().getHeaders().set(CorrelationIds.HEADER, id);
        exchange.getResponse().beforeCommit(() -> {
            exchange.getResponse().getHeaders().set(CorrelationIds.HEADER, id);
            return Mono.empty();
        });
        return chain.filter(exchange).contextWrite(context -> context.put(CorrelationIds.CONTEXT_KEY, id));
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
