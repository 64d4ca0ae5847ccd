package io.phasegate.query.stream;

import io.phasegate.platform.identity.CallerIdentity;
import io.phasegate.platform.identity.Permission;
import io.phasegate.platform.web.ApiException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.phasegate.events.audit.AuditRecordView;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.netty.Connection;
import reactor.netty.NettyOutbound;

/**
 * The SSE streams of the caller's organisation (SPEC §3 "Reactive streams"), {@code text/event-stream}:
 * <ul>
 *   <li>{@code GET /api/v1/streams/audit} ({@code audit: read}): every audit record;</li>
 *   <li>{@code GET /api/v1/streams/tasks} ({@code tasks: read}): the audit records of task aggregates (the task and
 *   tool events);</li>
 *   <li>{@code GET /api/v1/streams/resources} ({@code provisioning: read}): the audit records of resource aggregates
 *   (aggregate type {@value #RESOURCE_AGGREGATE}: requests, outcomes, failed attempts and failures of provisioning
 *   operations). Dock records are not in it: rotations and decryptions are on {@code GET /api/v1/docks/{id}} and in
 *   the audit stream (docs/provisioning-queries.md).</li>
 * </ul>
 * Each SSE event has {@code id:} the global position, {@code event:} the event type and {@code data:} the audit record
 * as JSON (snake_case, as in {@code GET /api/v1/audit}). Without {@code Last-Event-ID} (header, or the
 * {@code last_event_id} query parameter for clients that cannot set headers) a stream starts with the records that
 * come next; with one it resumes with every record after it. An id that is no record of the caller's organisation
 * (another organisation's, a future one) resumes before the organisation's first record with a higher position, so
 * it never yields another organisation's records; an id that is not a number answers 400. See {@link AuditStreams}.
 */
@RestController
class StreamController {

    static final String LAST_EVENT_ID = "Last-Event-ID";
    /** The aggregate type of resources (the command side's aggregate class {@code Resource}). */
    static final String RESOURCE_AGGREGATE = "Resource";

    private final AuditStreams streams;

    StreamController(AuditStreams streams) {
        this.streams = streams;
    }

    @Operation(summary = "The organisation's audit records as SSE")
    @ApiResponse(responseCode = "200", description = "Server-sent events: id the position, event the event type, data the audit record (JSON).",
            content = @Content(mediaType = "text/event-stream", schema = @Schema(implementation = AuditRecordView.class)))
    @ApiResponse(responseCode = "400", description = "invalid_parameter: Last-Event-ID.")
    @ApiResponse(responseCode = "403", description = "forbidden.")
    @GetMapping(path = "/api/v1/streams/audit", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Flux<DataBuffer> audit(@RequestHeader(name = LAST_EVENT_ID, required = false) String lastEventId,
                                        @RequestParam(name = "last_event_id", required = false) String lastEventIdParam,
                                        CallerIdentity caller, ServerHttpResponse response) {
        return open(caller, Permission.Area.AUDIT, "the audit trail", null, lastEventId, lastEventIdParam, response);
    }

    @Operation(summary = "The task audit records as SSE")
    @ApiResponse(responseCode = "200", description = "Server-sent events: id the position, event the event type, data the audit record (JSON).",
            content = @Content(mediaType = "text/event-stream", schema = @Schema(implementation = AuditRecordView.class)))
    @ApiResponse(responseCode = "400", description = "invalid_parameter: Last-Event-ID.")
    @ApiResponse(responseCode = "403", description = "forbidden.")
    @GetMapping(path = "/api/v1/streams/tasks", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Flux<DataBuffer> tasks(@RequestHeader(name = LAST_EVENT_ID, required = false) String lastEventId,
                                        @RequestParam(name = "last_event_id", required = false) String lastEventIdParam,
                                        CallerIdentity caller, ServerHttpResponse response) {
        return open(caller, Permission.Area.TASKS, "tasks", AuditStreams.TASK_AGGREGATE, lastEventId, lastEventIdParam,
                response);
    }

    @Operation(summary = "The resource audit records as SSE")
    @ApiResponse(responseCode = "200", description = "Server-sent events: id the position, event the event type, data the audit record (JSON).",
            content = @Content(mediaType = "text/event-stream", schema = @Schema(implementation = AuditRecordView.class)))
    @ApiResponse(responseCode = "400", description = "invalid_parameter: Last-Event-ID.")
    @ApiResponse(responseCode = "403", description = "forbidden.")
    @GetMapping(path = "/api/v1/streams/resources", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Flux<DataBuffer> resources(@RequestHeader(name = LAST_EVENT_ID, required = false) String lastEventId,
                                            @RequestParam(name = "last_event_id", required = false)
                                            String lastEventIdParam,
                                            CallerIdentity caller, ServerHttpResponse response) {
        return open(caller, Permission.Area.PROVISIONING, "provisioning", RESOURCE_AGGREGATE, lastEventId,
                lastEventIdParam, response);
    }

    /** The caller's organisation's records of {@code aggregateType} ({@code null}: all), after a read check. */
    private Flux<DataBuffer> open(CallerIdentity caller, Permission.Area area, String what,
                                               String aggregateType, String lastEventId, String lastEventIdParam,
                                               ServerHttpResponse response) {
        if (!caller.can(area, Permission.Level.READ)) {
            throw ApiException.forbidden("Your roles do not allow reading " + what + ".");
        }
        Long after = resumeAfter(lastEventId, lastEventIdParam);
        noBuffering(response);
        return streams.open(caller.orgId(), aggregateType, after, disconnect(response), response.bufferFactory());
    }

    /** The position to resume after: the header wins over the query parameter; blank means none. */
    static Long resumeAfter(String header, String param) {
        String value = header != null && !header.isBlank() ? header : param;
        if (value == null || value.isBlank()) {
            return null;
        }
        String trimmed = value.trim();
        if (!trimmed.matches("\\d{1,18}")) {
            throw ApiException.badRequest("invalid_parameter",
                    "Last-Event-ID must be the id of an event this stream sent.");
        }
        return Long.parseLong(trimmed);
    }

    /** Neither caches nor proxies (nginx: {@code X-Accel-Buffering}) should hold the events back. */
    private static void noBuffering(ServerHttpResponse response) {
        response.getHeaders().setCacheControl("no-cache");
        response.getHeaders().set("X-Accel-Buffering", "no");
    }

    /** Closes the client's connection (Reactor Netty); elsewhere the stream just ends. */
    private static Runnable disconnect(ServerHttpResponse response) {
        return () -> {
            Object nativeResponse = ServerHttpResponseDecorator.getNativeResponse(response);
            if (nativeResponse instanceof NettyOutbound outbound) {
                outbound.withConnection(Connection::dispose);
            }
        };
    }
}
