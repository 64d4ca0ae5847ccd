package io.phasegate.query.web;

import io.phasegate.platform.web.BlockingExecutor;
import io.phasegate.query.position.ProjectionPositions;
import java.util.List;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Sends queries from the reactive HTTP layer: first waits, without blocking, for the projection to reach the
 * caller's {@code min_position}; then runs the (JDBC-backed) query on the bounded blocking scheduler.
 */
@Component
class QuerySender {

    private final QueryGateway queries;
    private final ProjectionPositions positions;
    private final BlockingExecutor blocking;

    QuerySender(QueryGateway queries, ProjectionPositions positions, BlockingExecutor blocking) {
        this.queries = queries;
        this.positions = positions;
        this.blocking = blocking;
    }

    <R> Mono<R> one(String processingGroup, Long minPosition, Object query, Class<R> type) {
        return one(List.of(processingGroup), minPosition, query, type);
    }

    /** As {@link #one(String, Long, Object, Class)} for a result built from the read models of several groups. */
    <R> Mono<R> one(List<String> processingGroups, Long minPosition, Object query, Class<R> type) {
        return positions.await(processingGroups, minPosition)
                .then(blocking.call(() -> queries.query(query, ResponseTypes.instanceOf(type)).join()));
    }

    <R> Mono<R> optional(String processingGroup, Long minPosition, Object query, Class<R> type) {
        return optional(List.of(processingGroup), minPosition, query, type);
    }

    <R> Mono<R> optional(List<String> processingGroups, Long minPosition, Object query, Class<R> type) {
        return positions.await(processingGroups, minPosition)
                .then(blocking.call(() -> queries.query(query, ResponseTypes.optionalInstanceOf(type)).join()))
                .flatMap(Mono::justOrEmpty);
    }
}
