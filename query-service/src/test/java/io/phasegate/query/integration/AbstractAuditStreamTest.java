package io.phasegate.query.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.phasegate.events.tool.ToolCallDecidedEvent;
import io.phasegate.events.workflow.WorkflowDefinition;
import io.phasegate.events.workflow.WorkflowKeys;
import io.phasegate.events.workflow.WorkflowPublishedEvent;
import io.phasegate.query.stream.StreamConnections;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.axonframework.eventhandling.DomainEventMessage;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The SSE streams over real HTTP against real storage, read with a real SSE client: resuming with
 * {@code Last-Event-ID} gives every later record exactly once; the task stream; a client that never reads is
 * disconnected while another keeps receiving; organisations are isolated whatever id a client sends; heartbeats;
 * who may open which stream; the cap on connections per organisation. Small settings make the limits reachable: the
 * per-client buffer holds 200 records (two batches of the processor, which emits a batch's records at once), and the
 * server's socket send buffers are small ({@link SmallSendBuffers}), so that a client that does not read fills the
 * buffer after a few hundred records instead of after the megabytes a loopback socket would otherwise absorb.
 */
@Import(SmallSendBuffers.class)
@TestPropertySource(properties = {"phasegate.streams.heartbeat-interval=300ms", "phasegate.streams.buffer-size=200",
        "phasegate.streams.max-connections-per-org=3", "phasegate.streams.page-size=7"})
abstract class AbstractAuditStreamTest extends AuditTestSupport {

    static final String AUDIT = "/api/v1/streams/audit";
    static final String TASKS = "/api/v1/streams/tasks";
    static final Duration WAIT = Duration.ofSeconds(20);

    /** An event type no code of query-service knows: the audit trail records it all the same. */
    public record BulkyTestEvent(String orgId, String note, List<String> lines) {
    }

    @Autowired
    StreamConnections connections;

    @Test
    void resumingWithLastEventIdGivesEveryLaterRecordExactlyOnce() {
        String org = "resume-" + suffix();
        String who = auditor(org);
        long marker = appendOne(event("Task", "marker-" + suffix(), 0, created("marker-" + suffix(), org, "alice")));
        awaitAudited(marker);

        List<SseClient.Event> firstPart;
        try (SseClient first = SseClient.connect(port, AUDIT, who, Long.toString(marker))) {
            assertThat(first.status).isEqualTo(200);
            assertThat(first.contentType).startsWith("text/event-stream");
            assertThat(first.cacheControl).isEqualTo("no-cache");
            appendAll(tasks(org, "a-" + suffix(), 10));
            appendOne(workflow(org));
            appendAll(tasks(org, "b-" + suffix(), 10));
            firstPart = first.take(15, WAIT);
        }
        // written while no client is connected, then while the next one catches up
        appendAll(tasks(org, "c-" + suffix(), 5));
        String resumeFrom = firstPart.get(firstPart.size() - 1).id();
        List<SseClient.Event> secondPart;
        try (SseClient second = SseClient.connect(port, AUDIT, who, resumeFrom)) {
            long last = appendAll(tasks(org, "d-" + suffix(), 5)).get(9);
            awaitAudited(last);
            List<Long> expected = chainPositionsAfter(org, marker);
            assertThat(expected).hasSize(61);
            secondPart = second.take(expected.size() - firstPart.size(), WAIT);
            assertThat(second.poll(Duration.ofMillis(700))).as("nothing more, no duplicate").isNull();

            List<Long> union = new ArrayList<>(ids(firstPart));
            union.addAll(ids(secondPart));
            assertThat(union).isEqualTo(expected);

            // each event is the record: id = position, event = type, data = the record as the list serves it
            Map<Long, JsonNode> records = new java.util.HashMap<>();
            allRecords(org, last).forEach(r -> records.put(r.path("position").asLong(), r));
            for (SseClient.Event event : union.size() == 0 ? List.<SseClient.Event>of() : concat(firstPart, secondPart)) {
                JsonNode data = JSON.readTree(event.data());
                assertThat(fieldNames(data)).isEqualTo(RECORD_FIELDS);
                assertThat(data.path("position").asLong()).isEqualTo(Long.parseLong(event.id()));
                assertThat(data.path("event_type").asString()).isEqualTo(event.event());
                assertThat(data).isEqualTo(records.get(Long.parseLong(event.id())));
            }

            // the same resume through the query parameter (for clients that cannot set headers)
            try (SseClient third = SseClient.connect(port, AUDIT + "?last_event_id=" + resumeFrom, who, null)) {
                assertThat(ids(third.take(secondPart.size(), WAIT))).isEqualTo(ids(secondPart));
                assertThat(third.poll(Duration.ofMillis(500))).isNull();
            }
        }
    }

    @Test
    void theTaskStreamCarriesTheRecordsOfTasksOnly() {
        String org = "tasks-" + suffix();
        long marker = appendOne(workflow(org));
        awaitAudited(marker);
        String task = "t-" + suffix();
        try (SseClient viewer = SseClient.connect(port, TASKS, identity("vera", org, "viewer"), Long.toString(marker))) {
            assertThat(viewer.status).isEqualTo(200);
            List<DomainEventMessage<?>> events = new ArrayList<>(tasks(org, task, 1));
            events.add(event("Task", task + "-0", 2, new ToolCallDecidedEvent(task + "-0", org, "agent-0", "wf", 1,
                    "PLAN", "call-1", "read_file", "sha256:x", Map.of("path", "a"), "allowed", null, null, null,
                    List.of(), Instant.now())));
            events.add(event("Workflow", WorkflowKeys.of(org, "other"), 0, new WorkflowPublishedEvent(
                    WorkflowKeys.of(org, "other"), org, "other", 1,
                    definition("other", 1, WorkflowDefinition.Enforcement.STRICT), "x", "wendy", Instant.now())));
            events.addAll(tasks(org, task + "-x", 1));
            List<Long> positions = appendAll(events);
            List<SseClient.Event> received = viewer.take(5, WAIT);
            assertThat(ids(received)).containsExactly(positions.get(0), positions.get(1), positions.get(2),
                    positions.get(4), positions.get(5));
            assertThat(received).extracting(SseClient.Event::event).containsExactly("TaskCreatedEvent",
                    "TaskClaimedEvent", "ToolCallDecidedEvent", "TaskCreatedEvent", "TaskClaimedEvent");
            for (SseClient.Event event : received) {
                assertThat(JSON.readTree(event.data()).path("aggregate_type").asString()).isEqualTo("Task");
            }
            assertThat(viewer.poll(Duration.ofMillis(500))).isNull();
        }
        // who may open which stream
        for (String role : List.of("viewer", "developer")) {
            try (SseClient denied = SseClient.connect(port, AUDIT, identity("x", org, role), null)) {
                assertThat(denied.status).isEqualTo(403);
                assertThat(denied.contentType).startsWith("application/problem+json");
                assertThat(JSON.readTree(denied.errorBody).path("code").asString()).isEqualTo("forbidden");
            }
        }
        try (SseClient admin = SseClient.connect(port, AUDIT, identity("ada", org, "admin"), null);
             SseClient auditor = SseClient.connect(port, TASKS, auditor(org), null)) {
            assertThat(admin.status).isEqualTo(200);
            assertThat(auditor.status).isEqualTo(200);
        }
        try (SseClient none = SseClient.connect(port, TASKS, identity("nobody", org, "guest"), null)) {
            assertThat(none.status).isEqualTo(403);
        }
    }

    @Test
    void aClientThatNeverReadsIsDisconnectedWhileAnotherKeepsReceiving() throws Exception {
        String org = "slow-" + suffix();
        String who = auditor(org);
        long marker = appendOne(workflow(org));
        awaitAudited(marker);
        try (SseClient reader = SseClient.connect(port, AUDIT, who, Long.toString(marker));
             Socket slow = new Socket()) {
            slow.setReceiveBufferSize(4096);
            slow.connect(new InetSocketAddress("127.0.0.1", port));
            OutputStream request = slow.getOutputStream();
            request.write(("GET " + AUDIT + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                    + "X-Phasegate-Identity: " + who + "\r\nLast-Event-ID: " + marker + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            request.flush();
            awaitCondition("both streams open", () -> connections.open(org) == 2, WAIT);

            int total = 0;
            long last = 0;
            for (int batch = 0; batch < 10; batch++) {
                List<DomainEventMessage<?>> events = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    List<String> lines = new ArrayList<>();
                    for (int l = 0; l < 20; l++) {
                        lines.add(batch + "/" + i + "/" + l + " " + "x".repeat(180));
                    }
                    events.add(event("Bulk", "bulk-" + suffix(), 0, new BulkyTestEvent(org, "bulk " + i, lines)));
                }
                last = appendAll(events).get(99);
                total += 100;
            }
            List<SseClient.Event> received = reader.take(total, Duration.ofSeconds(60));
            assertThat(received).extracting(SseClient.Event::event).containsOnly("BulkyTestEvent");
            assertThat(Long.parseLong(received.get(total - 1).id())).isEqualTo(last);

            awaitCondition("the slow client is disconnected", () -> connections.open(org) == 1, WAIT,
                    () -> "open=" + connections.open(org));
            // the server closed the slow connection: what it had sent is followed by the end of the stream
            slow.setSoTimeout(2000);
            InputStream in = slow.getInputStream();
            byte[] buffer = new byte[65536];
            long bytes = 0;
            int ids = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            boolean eof = false;
            while (System.nanoTime() < deadline) {
                int n;
                try {
                    n = in.read(buffer);
                } catch (SocketTimeoutException e) {
                    continue;
                } catch (IOException e) {
                    eof = true; // reset by the server
                    break;
                }
                if (n < 0) {
                    eof = true;
                    break;
                }
                bytes += n;
                String chunk = new String(buffer, 0, n, StandardCharsets.ISO_8859_1);
                for (int at = chunk.indexOf("\nid:"); at >= 0; at = chunk.indexOf("\nid:", at + 1)) {
                    ids++;
                }
            }
            assertThat(eof).as("the slow connection was closed (read %d bytes)", bytes).isTrue();
            assertThat(ids).isLessThan(total);

            // the other client is unaffected
            long next = appendOne(workflow(org));
            assertThat(reader.take(1, WAIT).get(0).id()).isEqualTo(Long.toString(next));
        }
        awaitCondition("all streams closed", () -> connections.open(org) == 0, WAIT);
    }

    @Test
    void noLastEventIdEverYieldsAnotherOrganisationsRecords() {
        String mine = "mine-" + suffix();
        String theirs = "theirs-" + suffix();
        List<Long> theirPositions = appendAll(tasks(theirs, "x-" + suffix(), 2));
        List<Long> myPositions = appendAll(tasks(mine, "y-" + suffix(), 2));
        awaitAudited(myPositions.get(3));

        // another organisation's position: my records after it, none of theirs
        try (SseClient forged = SseClient.connect(port, AUDIT, auditor(mine), Long.toString(theirPositions.get(0)))) {
            List<SseClient.Event> received = forged.take(4, WAIT);
            assertThat(ids(received)).isEqualTo(myPositions);
            assertThat(received).allSatisfy(e -> assertThat(JSON.readTree(e.data()).path("org_id").asString())
                    .isEqualTo(mine));
            assertThat(forged.poll(Duration.ofMillis(500))).isNull();
        }
        // a position from the future or zero: nothing of theirs either
        try (SseClient future = SseClient.connect(port, AUDIT, auditor(mine), "999999999999999999");
             SseClient fromStart = SseClient.connect(port, TASKS, identity("v", mine, "viewer"), "0")) {
            assertThat(ids(fromStart.take(4, WAIT))).isEqualTo(myPositions);
            appendAll(tasks(theirs, "z-" + suffix(), 1));
            long mineNext = appendAll(tasks(mine, "w-" + suffix(), 1)).get(0);
            SseClient.Event event = future.take(1, WAIT).get(0);
            assertThat(event.id()).isEqualTo(Long.toString(mineNext));
            assertThat(JSON.readTree(event.data()).path("org_id").asString()).isEqualTo(mine);
            assertThat(fromStart.take(1, WAIT).get(0).id()).isEqualTo(Long.toString(mineNext));
        }
        // garbage
        for (String garbage : List.of("abc", "-5", "1.5", "99999999999999999999")) {
            try (SseClient bad = SseClient.connect(port, AUDIT, auditor(mine), garbage)) {
                assertThat(bad.status).as(garbage).isEqualTo(400);
                assertThat(JSON.readTree(bad.errorBody).path("code").asString()).isEqualTo("invalid_parameter");
            }
        }
        try (SseClient bad = SseClient.connect(port, TASKS + "?last_event_id=x1", auditor(mine), null)) {
            assertThat(bad.status).isEqualTo(400);
        }
    }

    @Test
    void heartbeatsKeepAnIdleStreamAlive() {
        String org = "idle-" + suffix();
        try (SseClient idle = SseClient.connect(port, TASKS, identity("v", org, "viewer"), null)) {
            awaitCondition("three heartbeats", () -> idle.comments.stream()
                    .filter(c -> c.text().equals(" keep-alive")).count() >= 3, Duration.ofSeconds(5));
            assertThat(idle.comments.get(0).text()).isEqualTo(" stream open");
            List<Instant> beats = idle.comments.stream().filter(c -> c.text().equals(" keep-alive"))
                    .map(SseClient.Comment::at).toList();
            for (int i = 1; i < beats.size(); i++) {
                assertThat(Duration.between(beats.get(i - 1), beats.get(i))).isLessThan(Duration.ofMillis(1500));
            }
            assertThat(idle.poll(Duration.ZERO)).isNull();
        }
    }

    @Test
    void theOpenStreamsOfAnOrganisationAreCapped() {
        String org = "capped-" + suffix();
        String who = identity("v", org, "viewer");
        List<SseClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                SseClient client = SseClient.connect(port, i % 2 == 0 ? TASKS : TASKS + "?x=" + i, who, null);
                assertThat(client.status).isEqualTo(200);
                open.add(client);
            }
            try (SseClient fourth = SseClient.connect(port, TASKS, who, null)) {
                assertThat(fourth.status).isEqualTo(429);
                JsonNode problem = JSON.readTree(fourth.errorBody);
                assertThat(problem.path("code").asString()).isEqualTo("too_many_streams");
                assertThat(fourth.contentType).startsWith("application/problem+json");
            }
            // another organisation is not affected
            try (SseClient other = SseClient.connect(port, TASKS, identity("v", "uncapped-" + suffix(), "viewer"), null)) {
                assertThat(other.status).isEqualTo(200);
            }
            open.remove(0).close();
            awaitCondition("a slot is free", () -> connections.open(org) == 2, WAIT);
            try (SseClient again = SseClient.connect(port, TASKS, who, null)) {
                assertThat(again.status).isEqualTo(200);
            }
        } finally {
            open.forEach(SseClient::close);
        }
        awaitCondition("all streams closed", () -> connections.open(org) == 0, WAIT);
    }

    // ------------------------------------------------------------------------------------------------------------

    static DomainEventMessage<?> workflow(String org) {
        String wf = "wf-" + suffix();
        return event("Workflow", WorkflowKeys.of(org, wf), 0, new WorkflowPublishedEvent(WorkflowKeys.of(org, wf), org,
                wf, 1, definition(wf, 1, WorkflowDefinition.Enforcement.STRICT), "workflow", "wendy", Instant.now()));
    }

    /** The positions of the organisation's records after {@code position}'s record, in chain order. */
    List<Long> chainPositionsAfter(String org, long position) {
        Long seq = jdbc.queryForObject("SELECT chain_seq FROM audit_records WHERE org_id = ? AND position = ?",
                Long.class, org, position);
        return jdbc.queryForList("SELECT position FROM audit_records WHERE org_id = ? AND chain_seq > ? "
                + "ORDER BY chain_seq", Long.class, org, seq);
    }

    static List<Long> ids(List<SseClient.Event> events) {
        List<Long> ids = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        for (SseClient.Event event : events) {
            long id = Long.parseLong(event.id());
            assertThat(seen.add(id)).as("duplicate %d", id).isTrue();
            ids.add(id);
        }
        return ids;
    }

    static List<SseClient.Event> concat(List<SseClient.Event> a, List<SseClient.Event> b) {
        List<SseClient.Event> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
