package io.phasegate.query.history;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Writes history items, as NDJSON lines or server-sent events, straight from the stored bytes: the payload and the
 * metadata are copied token by token from the event store's JSON (never bound to objects), so the output is compact
 * (one line per item) whatever the stored form.
 *
 * <p>One item: {@code {"position", "event_id", "type", "payload_type", "revision", "aggregate_id", "aggregate_type",
 * "sequence", "timestamp", "metadata": {...}, "payload": {...}}}. As a server-sent event it is
 * {@code id: <position>}, {@code event: history_event} and the item as {@code data:}.
 *
 * <p>Not thread-safe: one per page being encoded.
 */
final class HistoryEncoder {

    enum Format { NDJSON, SSE }

    static final String SSE_EVENT = "history_event";
    static final String SSE_END = "end";
    /** The output is cut into chunks of about this size (at item boundaries), so a slow client holds little. */
    static final int CHUNK_BYTES = 64 * 1024;

    private static final JsonFactory JSON = JsonFactory.builder().rootValueSeparator((String) null).build();
    private static final String ORG_ID = "orgId";

    private final Format format;
    private final List<byte[]> chunks = new ArrayList<>();
    private ByteArrayOutputStream out = new ByteArrayOutputStream(CHUNK_BYTES + 4096);

    HistoryEncoder(Format format) {
        this.format = format;
    }

    /**
     * The organisation named by a payload: its top-level {@code orgId} string, or null (not an object, no such
     * field, not a string). Reads no further than that field.
     */
    static String orgId(byte[] payload) {
        try (JsonParser parser = JSON.createParser(ObjectReadContext.empty(), payload)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.PROPERTY_NAME) {
                boolean org = ORG_ID.equals(parser.currentName());
                JsonToken value = parser.nextToken();
                if (org) {
                    return value == JsonToken.VALUE_STRING ? parser.getString() : null;
                }
                parser.skipChildren();
            }
            return null;
        } catch (RuntimeException e) {
            return null; // not JSON: names no organisation
        }
    }

    /** The simple name of a payload type ({@code io.phasegate.events.task.TaskClaimedEvent} → {@code TaskClaimedEvent}). */
    static String simpleName(String payloadType) {
        int cut = Math.max(payloadType.lastIndexOf('.'), payloadType.lastIndexOf('$'));
        return payloadType.substring(cut + 1);
    }

    void item(long position, String eventId, String payloadType, String revision, String aggregateId,
              String aggregateType, long sequence, String timestamp, byte[] metadata, byte[] payload) {
        if (format == Format.SSE) {
            raw("id: " + position + "\nevent: " + SSE_EVENT + "\ndata: ");
        }
        try (JsonGenerator g = JSON.createGenerator(ObjectWriteContext.empty(), out)) {
            g.writeStartObject();
            g.writeNumberProperty("position", position);
            g.writeStringProperty("event_id", eventId);
            g.writeStringProperty("type", simpleName(payloadType));
            g.writeStringProperty("payload_type", payloadType);
            g.writeStringProperty("revision", revision);
            g.writeStringProperty("aggregate_id", aggregateId);
            g.writeStringProperty("aggregate_type", aggregateType);
            g.writeNumberProperty("sequence", sequence);
            g.writeStringProperty("timestamp", timestamp);
            g.writeName("metadata");
            copyObject(g, metadata);
            g.writeName("payload");
            copyObject(g, payload);
            g.writeEndObject();
        }
        raw(format == Format.SSE ? "\n\n" : "\n");
        cutIfFull();
    }

    /** A comment line of a server-sent event stream (keeps proxies from closing an idle connection). */
    void comment(String text) {
        if (format == Format.SSE) {
            raw(": " + text + "\n\n");
        }
    }

    /** The last event of a server-sent event stream: how it ended. Nothing for NDJSON. */
    void end(long count, Long lastPosition, long scannedTo) {
        if (format != Format.SSE) {
            return;
        }
        raw("event: " + SSE_END + "\ndata: {\"count\":" + count + ",\"last_position\":"
                + (lastPosition == null ? "null" : lastPosition) + ",\"scanned_to_position\":" + scannedTo + "}\n\n");
    }

    /** The chunks written since the last call. */
    List<byte[]> drain() {
        if (out.size() > 0) {
            chunks.add(out.toByteArray());
            out = new ByteArrayOutputStream(CHUNK_BYTES + 4096);
        }
        List<byte[]> drained = List.copyOf(chunks);
        chunks.clear();
        return drained;
    }

    private void cutIfFull() {
        if (out.size() >= CHUNK_BYTES) {
            chunks.add(out.toByteArray());
            out.reset();
        }
    }

    private void raw(String text) {
        out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Copies a stored JSON document; an absent or empty one is written as {@code {}}. */
    private static void copyObject(JsonGenerator g, byte[] json) {
        if (json == null || json.length == 0) {
            g.writeStartObject();
            g.writeEndObject();
            return;
        }
        try (JsonParser parser = JSON.createParser(ObjectReadContext.empty(), json)) {
            parser.nextToken();
            g.copyCurrentStructure(parser);
        }
    }
}
