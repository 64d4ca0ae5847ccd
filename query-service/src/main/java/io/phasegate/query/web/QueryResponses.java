package io.phasegate.query.web;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.Map;

/**
 * The shapes of the query API's answers that are not a read-model class (built as maps or written as streams), for
 * the OpenAPI document only: {@code @ApiResponse} annotations name them, springdoc models them with the wire's
 * snake_case names (docs/adr/0014-openapi.md).
 */
public final class QueryResponses {

    private QueryResponses() {
    }

    public static final String JSON = "application/json";
    public static final String NDJSON = "application/x-ndjson";
    public static final String SSE = "text/event-stream";

    /** {@code GET /api/v1/audit/verify}: verified: records and last_position; broken: the other members. */
    @Schema(name = "AuditVerification", requiredProperties = {"verified"})
    public record AuditVerification(boolean verified,
                                    @Schema(description = "Records checked (verified only).") Long records,
                                    @Schema(description = "The last record's position (verified only).")
                                    Long lastPosition,
                                    @Schema(description = "Where the chain breaks (broken only).")
                                    Long firstBrokenPosition,
                                    @Schema(description = "Why (broken only).") String reason,
                                    @Schema(description = "Records checked before the break (broken only).")
                                    Long recordsChecked,
                                    @Schema(description = "Details (broken only).") String detail) {
    }

    /** One line of {@code GET /api/v1/history/events} (NDJSON), or the data of one {@code history_event} SSE event. */
    @Schema(name = "HistoryEvent", requiredProperties = {"position", "event_id", "type", "payload_type",
            "aggregate_id", "aggregate_type", "sequence", "timestamp", "metadata", "payload"})
    public record HistoryEvent(long position, String eventId,
                               @Schema(description = "The payload's simple class name.") String type,
                               String payloadType, String revision, String aggregateId, String aggregateType,
                               long sequence, @Schema(format = "date-time") String timestamp,
                               Map<String, Object> metadata, Map<String, Object> payload) {
    }
}
