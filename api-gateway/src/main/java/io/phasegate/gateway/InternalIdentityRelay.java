package io.phasegate.gateway;

import io.phasegate.platform.identity.CallerIdentity;
import io.phasegate.platform.identity.InternalTokenIssuer;
import io.phasegate.platform.identity.InternalTokens;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Forwards the authenticated caller to the services in a freshly minted internal identity token, and strips any
 * identity header a client sent, so a client can never speak for someone else.
 */
public class InternalIdentityRelay implements GlobalFilter, Ordered {

    private final InternalTokenIssuer issuer;

    InternalIdentityRelay(InternalTokenIssuer issuer) {
        this.issuer = issuer;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        return ReactiveSecurityContextHolder.getContext()
                .map(SecurityContext::getAuthentication)
                .filter(JwtAuthenticationToken.class::isInstance)
                .map(auth -> identityOf(((JwtAuthenticationToken) auth).getToken()))
                .map(caller -> exchange.mutate().request(r -> r.headers(h -> {
                    h.remove(InternalTokens.HEADER);
                    h.set(InternalTokens.HEADER, issuer.issue(caller));
                })).build())
                .switchIfEmpty(AgentEndpoints.matcher().matches(exchange).map(match -> match.isMatch()
                        // an agent endpoint: the service verifies the phase token itself
                        ? exchange.mutate().request(r -> r.headers(h -> h.set(InternalTokens.HEADER,
                                issuer.issue(CallerIdentity.phaseTokenBearer())))).build()
                        : exchange.mutate().request(r -> r.headers(h -> h.remove(InternalTokens.HEADER))).build()))
                .flatMap(chain::filter);
    }

    /** The caller a validated user or service token stands for (also used by the gRPC endpoint). */
    public static CallerIdentity identityOf(Jwt jwt) {
        Object roles = jwt.getClaims().get("roles");
        List<String> names = roles instanceof Collection<?> c ? c.stream().map(String::valueOf).toList() : List.of();
        return new CallerIdentity(jwt.getSubject(), jwt.getClaimAsString("org"), Set.copyOf(names));
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 100;
    }
}
