package io.phasegate.query.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.phasegate.platform.web.ApiException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Encoding of history items, the organisation check on stored payloads, parameter parsing and negotiation. */
class HistoryEncoderTest {

    static final JsonMapper JSON = JsonMapper.builder().build();

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theOrganisationIsTheTopLevelOrgIdStringOnly() {
        assertThat(HistoryEncoder.orgId(utf8("{\"taskId\":\"t\",\"orgId\":\"acme\"}"))).isEqualTo("acme");
        // found after large nested values, which are skipped
        assertThat(HistoryEncoder.orgId(utf8("{\"a\":{\"orgId\":\"nested\",\"b\":[1,{\"orgId\":\"x\"}]},\"orgId\":\"acme\"}")))
                .isEqualTo("acme");
        assertThat(HistoryEncoder.orgId(utf8("{\"a\":{\"orgId\":\"nested\"}}"))).isNull();
        assertThat(HistoryEncoder.orgId(utf8("{\"orgId\":7}"))).isNull();
        assertThat(HistoryEncoder.orgId(utf8("{\"orgId\":null}"))).isNull();
        assertThat(HistoryEncoder.orgId(utf8("[\"orgId\",\"acme\"]"))).isNull();
        assertThat(HistoryEncoder.orgId(utf8("\"acme\""))).isNull();
        assertThat(HistoryEncoder.orgId(utf8("not json"))).isNull();
        assertThat(HistoryEncoder.orgId(utf8("{\"orgId\":\"acme\""))).isEqualTo("acme");
        assertThat(HistoryEncoder.orgId(new byte[0])).isNull();
    }

    @Test
    void anNdjsonItemIsOneCompactLineWhateverTheStoredForm() {
        HistoryEncoder encoder = new HistoryEncoder(HistoryEncoder.Format.NDJSON);
        byte[] pretty = utf8("{\n  \"taskId\" : \"t\",\n  \"orgId\" : \"acme\",\n  \"note\" : \"line\\nbreak\"\n}");
        encoder.item(42, "evt-1", "io.phasegate.events.task.TaskCreatedEvent", "1", "t", "Task", 0,
                "2025-03-14T09:00:00.000Z", null, pretty);
        encoder.item(43, "evt-2", "io.phasegate.events.Outer$Nested", null, "t", null, 1,
                "2025-03-14T09:00:00.001Z", utf8("{\"traceId\":\"x\"}"), utf8("{\"orgId\":\"acme\"}"));
        String out = new String(concat(encoder.drain()), StandardCharsets.UTF_8);
        String[] lines = out.split("\n", -1);
        assertThat(lines).hasSize(3);
        assertThat(lines[2]).isEmpty();
        JsonNode first = JSON.readTree(lines[0]);
        assertThat(first.toString()).isEqualTo(lines[0]);
        assertThat(first.path("position").asLong()).isEqualTo(42);
        assertThat(first.path("type").asString()).isEqualTo("TaskCreatedEvent");
        assertThat(first.path("metadata").isObject()).isTrue();
        assertThat(first.path("metadata").size()).isZero();
        assertThat(first.path("payload")).isEqualTo(JSON.readTree(pretty));
        assertThat(first.path("payload").path("note").asString()).isEqualTo("line\nbreak");
        JsonNode second = JSON.readTree(lines[1]);
        assertThat(second.path("type").asString()).isEqualTo("Nested");
        assertThat(second.path("revision").isNull()).isTrue();
        assertThat(second.path("aggregate_type").isNull()).isTrue();
        assertThat(second.path("metadata").path("traceId").asString()).isEqualTo("x");
        // NDJSON has no trailer
        encoder.end(2, 43L, 50);
        assertThat(encoder.drain()).isEmpty();
    }

    @Test
    void aServerSentEventCarriesThePositionAsIdAndTheStreamEndsWithASummary() {
        HistoryEncoder encoder = new HistoryEncoder(HistoryEncoder.Format.SSE);
        encoder.item(7, "e", "a.B", "1", "x", "Task", 0, "2025-03-14T09:00:00.000Z", utf8("{}"),
                utf8("{\"orgId\":\"acme\",\"text\":\"a\\nb\"}"));
        encoder.comment("scanned to position 9");
        encoder.end(1, 7L, 9);
        String out = new String(concat(encoder.drain()), StandardCharsets.UTF_8);
        String[] events = out.split("\n\n", -1);
        assertThat(events).hasSize(4);
        assertThat(events[0]).startsWith("id: 7\nevent: history_event\ndata: {\"position\":7,");
        assertThat(events[0].lines().count()).isEqualTo(3);
        assertThat(events[1]).isEqualTo(": scanned to position 9");
        assertThat(events[2]).isEqualTo("event: end\ndata: {\"count\":1,\"last_position\":7,\"scanned_to_position\":9}");
        assertThat(events[3]).isEmpty();
    }

    @Test
    void outputIsCutIntoBoundedChunksAtItemBoundaries() {
        HistoryEncoder encoder = new HistoryEncoder(HistoryEncoder.Format.NDJSON);
        byte[] payload = utf8("{\"orgId\":\"acme\",\"blob\":\"" + "x".repeat(10_000) + "\"}");
        for (int i = 0; i < 30; i++) {
            encoder.item(i, "e" + i, "a.B", "1", "x", "T", i, "2025-03-14T09:00:00.000Z", null, payload);
        }
        List<byte[]> chunks = encoder.drain();
        assertThat(chunks).hasSizeGreaterThan(3);
        for (byte[] chunk : chunks) {
            assertThat(chunk.length).isLessThan(HistoryEncoder.CHUNK_BYTES + 11_000);
            assertThat(chunk[chunk.length - 1]).isEqualTo((byte) '\n');
        }
        assertThat(new String(concat(chunks), StandardCharsets.UTF_8).split("\n")).hasSize(30);
        assertThat(encoder.drain()).isEmpty();
    }

    @Test
    void theFilterReadsEveryParameter() {
        HistoryFilter filter = HistoryFilter.parse("acme", Map.of("aggregate_id", List.of("t-1"),
                "type", List.of("TaskCreatedEvent, TaskClaimedEvent", "TaskCreatedEvent", "Outer$Inner"),
                "from_position", List.of("5"), "to_position", List.of("9"),
                "from_time", List.of("2025-03-14T10:00:00+01:00"), "to_time", List.of("2025-03-14T09:30:00Z"),
                "limit", List.of("3")), null);
        assertThat(filter).isEqualTo(new HistoryFilter("acme", "t-1",
                List.of("TaskCreatedEvent", "TaskClaimedEvent", "Outer$Inner"), 5L, 9L,
                Instant.parse("2025-03-14T09:00:00Z"), Instant.parse("2025-03-14T09:30:00Z"), 3L));
        assertThat(HistoryFilter.parse("acme", Map.of(), null))
                .isEqualTo(new HistoryFilter("acme", null, List.of(), null, null, null, null, null));
        // a reconnect resumes after the last event id, never before from_position
        assertThat(HistoryFilter.parse("acme", Map.of(), "41").fromPosition()).isEqualTo(42);
        assertThat(HistoryFilter.parse("acme", Map.of("from_position", List.of("100")), "41").fromPosition())
                .isEqualTo(100);
        assertThat(HistoryFilter.parse("acme", Map.of("to_position", List.of("10")), "41").fromPosition())
                .isEqualTo(42);
        assertThatThrownBy(() -> HistoryFilter.parse("acme", Map.of("from_position", List.of("1e3")), null))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo("invalid_parameter"));
    }

    @Test
    void serverSentEventsOnlyWhenPreferred() {
        assertThat(HistoryController.format(List.of())).isEqualTo(HistoryEncoder.Format.NDJSON);
        assertThat(HistoryController.format(MediaType.parseMediaTypes("*/*"))).isEqualTo(HistoryEncoder.Format.NDJSON);
        assertThat(HistoryController.format(MediaType.parseMediaTypes("text/event-stream")))
                .isEqualTo(HistoryEncoder.Format.SSE);
        assertThat(HistoryController.format(MediaType.parseMediaTypes("application/x-ndjson, text/event-stream;q=0.4")))
                .isEqualTo(HistoryEncoder.Format.NDJSON);
        assertThat(HistoryController.format(MediaType.parseMediaTypes("application/x-ndjson;q=0.4, text/event-stream")))
                .isEqualTo(HistoryEncoder.Format.SSE);
        assertThat(HistoryController.format(MediaType.parseMediaTypes("text/*, */*;q=0.1")))
                .isEqualTo(HistoryEncoder.Format.NDJSON);
    }

    static byte[] concat(List<byte[]> chunks) {
        List<Byte> all = new ArrayList<>();
        for (byte[] chunk : chunks) {
            for (byte b : chunk) {
                all.add(b);
            }
        }
        byte[] out = new byte[all.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.get(i);
        }
        return out;
    }
}
