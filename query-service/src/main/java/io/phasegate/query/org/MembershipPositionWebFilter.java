package io.phasegate.query.org;

import io.phasegate.query.position.ProjectionPositions;
import org.axonframework.config.EventProcessingConfiguration;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Read your own writes for permissions too. The caller's roles in a registered organisation come from the
 * {@code organisations} projection; a query with {@code min_position} (ADR 0005) is therefore held until that
 * projection has processed the position before the caller's roles are resolved, so a member just added (or a role
 * just changed) by a command whose position the client passes is already known: without it the member was refused
 * with 403 while the projection caught up. Past {@code phasegate.query.max-wait-ms} the answer is 503
 * {@code position_not_reached}, as for the query's own projections. A value that is not a position is left to the
 * controller (400).
 */
@Component
class MembershipPositionWebFilter implements WebFilter, Ordered {

    private final ProjectionPositions positions;
    private final EventProcessingConfiguration processing;

    MembershipPositionWebFilter(ProjectionPositions positions, EventProcessingConfiguration processing) {
        this.positions = positions;
        this.processing = processing;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        Long position = position(exchange.getRequest().getQueryParams().getFirst("min_position"));
        if (position == null || processing.eventProcessor(OrganisationProjection.GROUP).isEmpty()) {
            return chain.filter(exchange);
        }
        return positions.await(OrganisationProjection.GROUP, position).then(chain.filter(exchange));
    }

    private static Long position(String value) {
        if (value == null || !value.matches("\\d{1,18}")) {
            return null;
        }
        return Long.parseLong(value);
    }

    /** After the identity filter (a request without a verified caller is refused before it waits). */
    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 20;
    }
}
