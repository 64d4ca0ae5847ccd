package io.phasegate.query.audit;

import io.phasegate.events.audit.AuditRecordPage;
import io.phasegate.events.audit.AuditRecordView;
import io.phasegate.events.audit.AuditVerificationView;
import io.phasegate.events.audit.FindAuditRecordsQuery;
import io.phasegate.events.audit.VerifyAuditTrailQuery;
import io.phasegate.platform.identity.CallerIdentity;
import io.phasegate.platform.identity.Permission;
import io.phasegate.platform.web.ApiException;
import io.phasegate.platform.web.BlockingExecutor;
import io.phasegate.query.position.ProjectionPositions;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.axonframework.messaging.responsetypes.ResponseTypes;
import org.axonframework.queryhandling.QueryGateway;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.ObjectMapper;

/**
 * The audit trail of the caller's organisation (SPEC §3; {@code audit: read}, i.e. admin and auditor):
 * <ul>
 *   <li>{@code GET /api/v1/audit?actor&aggregate_id&type&from&to&after&limit&order}: a page of records,
 *   {@code {"items": [...], "next_cursor": "..."}}; oldest first ({@code order=desc}: newest first); {@code after}
 *   is a position (the {@code next_cursor} of the previous page); {@code from} (inclusive) and {@code to} (exclusive)
 *   are ISO-8601 times; {@code limit} 1..{@value #MAX_LIMIT}, default {@value #DEFAULT_LIMIT};</li>
 *   <li>{@code GET /api/v1/audit/verify}: walks the hash chain, {@code {"verified": true, "records", "last_position"}}
 *   or {@code {"verified": false, "first_broken_position", "reason", "records_checked", "detail"}};</li>
 *   <li>{@code GET /api/v1/audit/export?format=ndjson|csv&<the list's filters>}: every matching record, streamed a
 *   page at a time ({@code application/x-ndjson}: one record per line as in the list; {@code text/csv}: RFC 4180 with
 *   a header line, {@code summary} as JSON text). {@code limit} caps the number of records (default: all).</li>
 * </ul>
 * Each accepts {@code min_position} (read-your-writes).
 */
@RestController
class AuditController {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 500;
    static final MediaType NDJSON = MediaType.parseMediaType("application/x-ndjson");
    static final MediaType CSV = new MediaType("text", "csv", StandardCharsets.UTF_8);
    static final List<String> CSV_COLUMNS = List.of("position", "org_id", "chain_sequence", "event_id", "event_type",
            "aggregate_type", "aggregate_id", "aggregate_sequence", "occurred_at", "actor", "correlation_id",
            "causation_id", "description", "summary", "prev_position", "prev_hash", "hash");
    private static final int MAX_FILTER_LENGTH = 255;

    private final QueryGateway queries;
    private final ProjectionPositions positions;
    private final BlockingExecutor blocking;
    private final ObjectMapper json;
    private final int pageSize;

    AuditController(QueryGateway queries, ProjectionPositions positions, BlockingExecutor blocking, ObjectMapper json,
                    @Value("${phasegate.audit.page-size:500}") int pageSize) {
        this.queries = queries;
        this.positions = positions;
        this.blocking = blocking;
        this.json = json;
        this.pageSize = Math.max(1, Math.min(pageSize, MAX_LIMIT));
    }

    @Operation(summary = "The audit trail")
    @ApiResponse(responseCode = "200", description = "OK.", useReturnTypeSchema = true)
    @ApiResponse(responseCode = "400", description = "invalid_parameter.")
    @ApiResponse(responseCode = "403", description = "forbidden: audit read needed.")
    @GetMapping(path = "/api/v1/audit", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<AuditRecordPage> list(@RequestParam(name = "actor", required = false) String actor,
                               @RequestParam(name = "aggregate_id", required = false) String aggregateId,
                               @RequestParam(name = "type", required = false) String type,
                               @RequestParam(name = "from", required = false) String from,
                               @RequestParam(name = "to", required = false) String to,
                               @RequestParam(name = "after", required = false) String after,
                               @RequestParam(name = "limit", defaultValue = "" + DEFAULT_LIMIT) int limit,
                               @RequestParam(name = "order", defaultValue = "asc") String order,
                               @RequestParam(name = "min_position", required = false) Long minPosition,
                               CallerIdentity caller) {
        requireAuditRead(caller);
        if (limit < 1 || limit > MAX_LIMIT) {
            throw invalid("limit must be between 1 and " + MAX_LIMIT + ".");
        }
        FindAuditRecordsQuery query = query(caller, actor, aggregateId, type, from, to, after, order, limit);
        return positions.await(AuditTrailProjection.GROUP, minPosition)
                .then(blocking.call(() -> queries.query(query, ResponseTypes.instanceOf(AuditRecordPage.class)).join()));
    }

    @Operation(summary = "Verify the audit trail's hash chain")
    @ApiResponse(responseCode = "200", description = "The verification.",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = io.phasegate.query.web.QueryResponses.AuditVerification.class)))
    @ApiResponse(responseCode = "403", description = "forbidden: audit read needed.")
    @GetMapping(path = "/api/v1/audit/verify", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<Map<String, Object>> verify(@RequestParam(name = "min_position", required = false) Long minPosition,
                                     CallerIdentity caller) {
        requireAuditRead(caller);
        VerifyAuditTrailQuery query = new VerifyAuditTrailQuery(caller.orgId());
        return positions.await(AuditTrailProjection.GROUP, minPosition)
                .then(blocking.call(() -> queries.query(query, ResponseTypes.instanceOf(AuditVerificationView.class))
                        .join()))
                .map(AuditController::verification);
    }

    @Operation(summary = "Export the audit trail (NDJSON or CSV)")
    @ApiResponse(responseCode = "200", description = "One audit record per line (format=ndjson), or CSV with a header (format=csv).",
            content = {@Content(mediaType = "application/x-ndjson", schema = @Schema(implementation = AuditRecordView.class)),
                    @Content(mediaType = "text/csv", schema = @Schema(type = "string"))})
    @ApiResponse(responseCode = "400", description = "invalid_parameter.")
    @ApiResponse(responseCode = "403", description = "forbidden: audit read needed.")
    @GetMapping(path = "/api/v1/audit/export")
    ResponseEntity<Flux<DataBuffer>> export(@RequestParam(name = "format", defaultValue = "ndjson") String format,
                                            @RequestParam(name = "actor", required = false) String actor,
                                            @RequestParam(name = "aggregate_id", required = false) String aggregateId,
                                            @RequestParam(name = "type", required = false) String type,
                                            @RequestParam(name = "from", required = false) String from,
                                            @RequestParam(name = "to", required = false) String to,
                                            @RequestParam(name = "after", required = false) String after,
                                            @RequestParam(name = "limit", required = false) Long limit,
                                            @RequestParam(name = "order", defaultValue = "asc") String order,
                                            @RequestParam(name = "min_position", required = false) Long minPosition,
                                            CallerIdentity caller) {
        requireAuditRead(caller);
        boolean csv = switch (format) {
            case "csv" -> true;
            case "ndjson" -> false;
            default -> throw invalid("format must be ndjson or csv.");
        };
        if (limit != null && limit < 1) {
            throw invalid("limit must be at least 1.");
        }
        FindAuditRecordsQuery first = query(caller, actor, aggregateId, type, from, to, after, order, pageSize);
        Flux<AuditRecordView> records = positions.await(AuditTrailProjection.GROUP, minPosition)
                .thenMany(page(first)
                        .expand(page -> page.nextCursor() == null ? Mono.empty()
                                : page(next(first, Long.parseLong(page.nextCursor()))))
                        .concatMapIterable(AuditRecordPage::items, 1));
        if (limit != null) {
            records = records.take(limit);
        }
        Flux<String> chunks = records.buffer(pageSize)
                .map(batch -> csv ? AuditExport.csvLines(batch) : AuditExport.ndjsonLines(batch, json));
        if (csv) {
            chunks = Flux.concat(Mono.just(AuditExport.csvHeader()), chunks);
        }
        Flux<DataBuffer> body = chunks.map(text -> DefaultDataBufferFactory.sharedInstance
                .wrap(text.getBytes(StandardCharsets.UTF_8)));
        return ResponseEntity.ok()
                .contentType(csv ? CSV : NDJSON)
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"audit." + (csv ? "csv" : "ndjson") + "\"")
                .body(body);
    }

    private Mono<AuditRecordPage> page(FindAuditRecordsQuery query) {
        return blocking.call(() -> queries.query(query, ResponseTypes.instanceOf(AuditRecordPage.class)).join());
    }

    private static FindAuditRecordsQuery next(FindAuditRecordsQuery query, long after) {
        return new FindAuditRecordsQuery(query.orgId(), query.actor(), query.aggregateId(), query.eventType(),
                query.from(), query.to(), after, query.descending(), query.limit());
    }

    static Map<String, Object> verification(AuditVerificationView view) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("verified", view.verified());
        if (view.verified()) {
            body.put("records", view.records());
            body.put("last_position", view.lastPosition());
        } else {
            body.put("first_broken_position", view.firstBrokenPosition());
            body.put("reason", view.reason());
            body.put("records_checked", view.recordsChecked());
            body.put("detail", view.detail());
        }
        return body;
    }

    private static FindAuditRecordsQuery query(CallerIdentity caller, String actor, String aggregateId, String type,
                                               String from, String to, String after, String order, int limit) {
        boolean descending = switch (order) {
            case "asc" -> false;
            case "desc" -> true;
            default -> throw invalid("order must be asc or desc.");
        };
        if (after != null && !after.matches("\\d{1,18}")) {
            throw invalid("after must be a cursor returned as next_cursor.");
        }
        Instant fromTime = time("from", from);
        Instant toTime = time("to", to);
        return new FindAuditRecordsQuery(caller.orgId(), filter("actor", actor), filter("aggregate_id", aggregateId),
                filter("type", type), fromTime, toTime, after == null ? null : Long.parseLong(after), descending, limit);
    }

    private static String filter(String name, String value) {
        if (value == null) {
            return null;
        }
        if (value.isEmpty() || value.length() > MAX_FILTER_LENGTH) {
            throw invalid(name + " must have 1 to " + MAX_FILTER_LENGTH + " characters.");
        }
        return value;
    }

    private static Instant time(String name, String value) {
        if (value == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw invalid(name + " must be an ISO-8601 time such as 2025-01-31T12:00:00Z.");
        }
    }

    static void requireAuditRead(CallerIdentity caller) {
        if (!caller.can(Permission.Area.AUDIT, Permission.Level.READ)) {
            throw ApiException.forbidden("Your roles do not allow reading the audit trail.");
        }
    }

    private static ApiException invalid(String detail) {
        return ApiException.badRequest("invalid_parameter", detail);
    }
}
