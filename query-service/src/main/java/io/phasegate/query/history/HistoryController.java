package io.phasegate.query.history;

import io.phasegate.events.history.FindTaskAsOfQuery;
import io.phasegate.events.history.TaskAsOfView;
import io.phasegate.events.resource.FindResourceAsOfQuery;
import io.phasegate.events.resource.ResourceAsOfView;
import io.phasegate.platform.identity.CallerIdentity;
import io.phasegate.platform.identity.Permission;
import io.phasegate.platform.web.ApiException;
import io.phasegate.platform.web.BlockingExecutor;
import io.phasegate.query.provisioning.ResourceAsOf;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * History for auditors (SPEC §3 "History and replay"):
 * <ul>
 *   <li>{@code GET /api/v1/history/events} (audit read): the raw event history of the caller's organisation in
 *   global order, as NDJSON ({@code application/x-ndjson}, the default) or as server-sent events
 *   ({@code Accept: text/event-stream}); see {@link EventHistory} and {@link HistoryEncoder};</li>
 *   <li>{@code GET /api/v1/history/tasks/{task_id}?as_of_position=P} or {@code ?as_of_time=T} (tasks read or audit
 *   read): the task as it was after the last of its events at or before P or T; see {@link TaskAsOf};</li>
 *   <li>{@code GET /api/v1/history/resources/{resource_id}?as_of_position=P} or {@code ?as_of_time=T}
 *   (provisioning read or audit read): the resource and its operation as they were at that point; see
 *   {@link ResourceAsOf}.</li>
 * </ul>
 * All are scoped to the caller's organisation; another organisation's events are never streamed and its tasks
 * answer 404. Bad parameters answer 400 {@code invalid_parameter}. They answer the same in every storage mode: the
 * stored events are read through {@link StoredEvents} (the JDBC event store, or Axon Server).
 */
@RestController
class HistoryController {

    static final MediaType NDJSON = MediaType.APPLICATION_NDJSON;

    private final EventHistory history;
    private final QueryGateway queries;
    private final BlockingExecutor blocking;

    HistoryController(EventHistory history, QueryGateway queries, BlockingExecutor blocking) {
        this.history = history;
        this.queries = queries;
        this.blocking = blocking;
    }

    /**
     * Streams the history page by page from the event store (each page read on the blocking scheduler, one page
     * ahead at most), so neither the whole history nor a slow client's backlog is held in memory.
     *
     * <p>Query parameters: {@code aggregate_id}, {@code type} (simple names; repeated or comma-separated),
     * {@code from_position}, {@code to_position} (inclusive), {@code from_time}, {@code to_time} (ISO-8601,
     * inclusive), {@code limit}. A server-sent event stream resumes after its {@code Last-Event-ID}; it ends with an
     * {@code end} event {@code {"count", "last_position", "scanned_to_position"}} and sends a comment line when it
     * has scanned for 10 s without a matching event.
     */
    @Operation(summary = "The raw event history (NDJSON, or SSE)")
    @ApiResponse(responseCode = "200", description = "One event per line (NDJSON), or history_event SSE events ending with an end event.",
            content = {@Content(mediaType = "application/x-ndjson", schema = @Schema(implementation = io.phasegate.query.web.QueryResponses.HistoryEvent.class)),
                    @Content(mediaType = "text/event-stream", schema = @Schema(implementation = io.phasegate.query.web.QueryResponses.HistoryEvent.class))})
    @ApiResponse(responseCode = "400", description = "invalid_parameter.")
    @ApiResponse(responseCode = "403", description = "forbidden: audit read needed.")
    @GetMapping(path = "/api/v1/history/events",
            produces = {MediaType.APPLICATION_NDJSON_VALUE, MediaType.TEXT_EVENT_STREAM_VALUE})
    Mono<Void> events(ServerWebExchange exchange, CallerIdentity caller,
                      @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId) {
        if (!caller.can(Permission.Area.AUDIT, Permission.Level.READ)) {
            throw ApiException.forbidden("Your roles do not allow reading the audit history.");
        }
        HistoryEncoder.Format format = format(exchange.getRequest().getHeaders().getAccept());
        HistoryFilter filter = HistoryFilter.parse(caller.orgId(), exchange.getRequest().getQueryParams(),
                format == HistoryEncoder.Format.SSE ? lastEventId : null);
        EventHistory.Cursor cursor = history.open(filter, format);
        ServerHttpResponse response = exchange.getResponse();
        response.getHeaders().setContentType(format == HistoryEncoder.Format.SSE ? MediaType.TEXT_EVENT_STREAM : NDJSON);
        response.getHeaders().setCacheControl("no-store");
        response.getHeaders().set("X-Accel-Buffering", "no");
        DataBufferFactory buffers = response.bufferFactory();
        Flux<DataBuffer> body = page(cursor)
                .expand(chunks -> cursor.done ? Mono.empty() : page(cursor))
                .concatMapIterable(chunks -> chunks, 1)
                .map(buffers::wrap)
                .doFinally(signal -> cursor.close()); // done, failed or the client went away
        return response.writeWith(body);
    }

    private Mono<List<byte[]>> page(EventHistory.Cursor cursor) {
        return blocking.call(() -> {
            try {
                return history.next(cursor);
            } catch (RuntimeException e) {
                if (cursor.isClosed()) {
                    return List.<byte[]>of(); // the response has ended; its open stream was closed under the read
                }
                throw e;
            }
        });
    }

    /**
     * Server-sent events when the client names {@code text/event-stream} with a higher quality than
     * {@code application/x-ndjson}; NDJSON otherwise (also for wildcards and no {@code Accept}).
     */
    static HistoryEncoder.Format format(List<MediaType> accept) {
        return accept.stream()
                .filter(type -> !type.isWildcardType() && !type.isWildcardSubtype()
                        && (type.isCompatibleWith(MediaType.TEXT_EVENT_STREAM) || type.isCompatibleWith(NDJSON)))
                .max(Comparator.comparingDouble(MediaType::getQualityValue))
                .filter(type -> type.isCompatibleWith(MediaType.TEXT_EVENT_STREAM))
                .map(type -> HistoryEncoder.Format.SSE)
                .orElse(HistoryEncoder.Format.NDJSON);
    }

    /**
     * The task's main fields as they were after the last of its events at or before {@code as_of_position} (a
     * global position) or {@code as_of_time} (ISO-8601): exactly one of them. 404 {@code task_not_found} for a task
     * of another organisation and for one that did not exist yet at that point.
     */
    @Operation(summary = "A task as of a position or time")
    @ApiResponse(responseCode = "200", description = "OK.", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "400", description = "invalid_parameter.")
    @ApiResponse(responseCode = "404", description = "task_not_found.")
    @GetMapping(path = "/api/v1/history/tasks/{taskId}", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<TaskAsOfView> taskAsOf(@PathVariable String taskId, ServerWebExchange exchange, CallerIdentity caller) {
        if (!caller.can(Permission.Area.TASKS, Permission.Level.READ)
                && !caller.can(Permission.Area.AUDIT, Permission.Level.READ)) {
            throw ApiException.forbidden("Your roles do not allow reading tasks.");
        }
        Map<String, List<String>> query = exchange.getRequest().getQueryParams();
        String position = HistoryFilter.single(query, "as_of_position");
        Instant time = HistoryFilter.time(query, "as_of_time");
        if ((position == null) == (time == null)) {
            throw HistoryFilter.invalid("Give exactly one of as_of_position and as_of_time.");
        }
        if (position != null && !position.matches("\\d{1,18}")) {
            throw HistoryFilter.invalid("as_of_position must be a global position (a non-negative integer).");
        }
        FindTaskAsOfQuery find = new FindTaskAsOfQuery(caller.orgId(), taskId,
                position == null ? null : Long.valueOf(position), time);
        return blocking.call(() -> queries.query(find, ResponseTypes.optionalInstanceOf(TaskAsOfView.class)).join())
                .flatMap(Mono::justOrEmpty)
                .switchIfEmpty(Mono.error(() -> ApiException.notFound("task_not_found",
                        "No task " + taskId + " at that point of the history.")));
    }

    /**
     * The resource (and its current or last operation) as it was after the last of its events at or before
     * {@code as_of_position} or {@code as_of_time}: exactly one of them. 404 {@code resource_not_found} for a
     * resource of another organisation and for one that did not exist yet at that point.
     */
    @Operation(summary = "A resource as of a position or time")
    @ApiResponse(responseCode = "200", description = "OK.", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "400", description = "invalid_parameter.")
    @ApiResponse(responseCode = "404", description = "resource_not_found.")
    @GetMapping(path = "/api/v1/history/resources/{resourceId}", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResourceAsOfView> resourceAsOf(@PathVariable String resourceId, ServerWebExchange exchange,
                                        CallerIdentity caller) {
        if (!caller.can(Permission.Area.PROVISIONING, Permission.Level.READ)
                && !caller.can(Permission.Area.AUDIT, Permission.Level.READ)) {
            throw ApiException.forbidden("Your roles do not allow reading resources.");
        }
        Map<String, List<String>> query = exchange.getRequest().getQueryParams();
        String position = HistoryFilter.single(query, "as_of_position");
        Instant time = HistoryFilter.time(query, "as_of_time");
        if ((position == null) == (time == null)) {
            throw HistoryFilter.invalid("Give exactly one of as_of_position and as_of_time.");
        }
        if (position != null && !position.matches("\\d{1,18}")) {
            throw HistoryFilter.invalid("as_of_position must be a global position (a non-negative integer).");
        }
        FindResourceAsOfQuery find = new FindResourceAsOfQuery(caller.orgId(), resourceId,
                position == null ? null : Long.valueOf(position), time);
        return blocking.call(() -> queries.query(find, ResponseTypes.optionalInstanceOf(ResourceAsOfView.class))
                        .join())
                .flatMap(Mono::justOrEmpty)
                .switchIfEmpty(Mono.error(() -> ApiException.notFound("resource_not_found",
                        "No resource " + resourceId + " at that point of the history.")));
    }
}
