package io.phasegate.query.history;

import io.phasegate.platform.web.ApiException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What part of an organisation's event history to stream: the query parameters of
 * {@code GET /api/v1/history/events}, validated (every bad value is a 400 {@code invalid_parameter}).
 *
 * @param orgId        the caller's organisation: only events whose payload names it ({@code orgId}) are streamed
 * @param aggregateId  only events of this aggregate, or all
 * @param types        only events of these types (simple class names, e.g. {@code TaskClaimedEvent}), or all
 * @param fromPosition the first global position (inclusive), or from the start
 * @param toPosition   the last global position (inclusive), or up to the head of the store when the request began
 * @param fromTime     only events stored at or after this time (the store's millisecond precision)
 * @param toTime       only events stored at or before this time
 * @param limit        at most this many events, or all
 */
record HistoryFilter(String orgId, String aggregateId, List<String> types, Long fromPosition, Long toPosition,
                     Instant fromTime, Instant toTime, Long limit) {

    static final int MAX_TYPES = 50;
    static final int MAX_AGGREGATE_ID_LENGTH = 255;
    private static final Pattern TYPE_NAME = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]{0,127}");
    private static final Pattern NUMBER = Pattern.compile("\\d{1,18}");

    HistoryFilter {
        types = List.copyOf(types);
    }

    /**
     * Whether a stored event is one to stream, apart from its position: of the caller's organisation (its payload's
     * top-level {@code orgId}; an event naming none never is), of the aggregate and types asked for, stored within
     * the times asked for (at millisecond precision). The one check every storage mode's events go through.
     */
    boolean matches(StoredEvent event) {
        if (aggregateId != null && !aggregateId.equals(event.aggregateId())) {
            return false;
        }
        if (!types.isEmpty() && !types.contains(HistoryEncoder.simpleName(event.payloadType()))) {
            return false;
        }
        if (fromTime != null || toTime != null) {
            long time = event.epochMilli();
            if ((fromTime != null && time < fromTime.toEpochMilli())
                    || (toTime != null && time > toTime.toEpochMilli())) {
                return false;
            }
        }
        return orgId.equals(HistoryEncoder.orgId(event.payload()));
    }

    /** The filter from the request's query parameters and its {@code Last-Event-ID} header (an SSE reconnect). */
    static HistoryFilter parse(String orgId, Map<String, List<String>> query, String lastEventId) {
        String aggregateId = single(query, "aggregate_id");
        if (aggregateId != null && (aggregateId.isEmpty() || aggregateId.length() > MAX_AGGREGATE_ID_LENGTH)) {
            throw invalid("aggregate_id must have 1 to " + MAX_AGGREGATE_ID_LENGTH + " characters.");
        }
        Set<String> types = new LinkedHashSet<>();
        for (String value : query.getOrDefault("type", List.of())) {
            for (String part : value.split(",", -1)) {
                String type = part.trim();
                if (type.isEmpty()) {
                    continue;
                }
                if (!TYPE_NAME.matcher(type).matches()) {
                    throw invalid("type must be the simple name of an event type, such as TaskClaimedEvent.");
                }
                types.add(type);
            }
        }
        if (types.size() > MAX_TYPES) {
            throw invalid("at most " + MAX_TYPES + " types.");
        }
        Long fromPosition = position(query, "from_position");
        Long toPosition = position(query, "to_position");
        if (lastEventId != null && !lastEventId.isBlank()) {
            if (!NUMBER.matcher(lastEventId.trim()).matches()) {
                throw invalid("Last-Event-ID must be the id (a position) of an event this stream sent.");
            }
            long resume = Long.parseLong(lastEventId.trim()) + 1;
            fromPosition = fromPosition == null ? resume : Math.max(fromPosition, resume);
        }
        if (fromPosition != null && toPosition != null && fromPosition > toPosition
                && (lastEventId == null || lastEventId.isBlank())) {
            throw invalid("from_position must not be after to_position.");
        }
        Instant fromTime = time(query, "from_time");
        Instant toTime = time(query, "to_time");
        if (fromTime != null && toTime != null && fromTime.isAfter(toTime)) {
            throw invalid("from_time must not be after to_time.");
        }
        Long limit = null;
        String limitValue = single(query, "limit");
        if (limitValue != null) {
            if (!NUMBER.matcher(limitValue).matches() || Long.parseLong(limitValue) < 1) {
                throw invalid("limit must be a positive integer.");
            }
            limit = Long.parseLong(limitValue);
        }
        return new HistoryFilter(orgId, aggregateId, new ArrayList<>(types), fromPosition, toPosition, fromTime,
                toTime, limit);
    }

    private static Long position(Map<String, List<String>> query, String name) {
        String value = single(query, name);
        if (value == null) {
            return null;
        }
        if (!NUMBER.matcher(value).matches()) {
            throw invalid(name + " must be a global position (a non-negative integer).");
        }
        return Long.parseLong(value);
    }

    /** An ISO-8601 time with an offset, such as {@code 2025-03-14T09:26:53Z} or {@code 2025-03-14T10:26:53+01:00}. */
    static Instant time(Map<String, List<String>> query, String name) {
        String value = single(query, name);
        if (value == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw invalid(name + " must be an ISO-8601 time with an offset, such as 2025-03-14T09:26:53Z.");
        }
    }

    /** The parameter's value; given twice is an error. */
    static String single(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw invalid(name + " must be given once.");
        }
        return values.get(0);
    }

    static ApiException invalid(String detail) {
        return ApiException.badRequest("invalid_parameter", detail);
    }
}
