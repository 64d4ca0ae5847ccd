package io.phasegate.e2e;

import static io.phasegate.e2e.E2eSupport.YAML;
import static io.phasegate.e2e.E2eSupport.workflowId;
import static io.phasegate.e2e.E2eSupport.workflowYaml;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two query-service instances on one database (deploy/README.md, "Scaling out"): each projection's segment is
 * processed by one of them, yet both answer read-your-writes queries ({@code min_position}) at once and both stream
 * every audit record live; when the processing instance stops, the other takes the projections over. Requests go
 * straight to each instance with the identity the gateway would forward; commands go through the gateway.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class TwoQueryInstancesContract {

    private static final Duration LIVE = Duration.ofSeconds(10);

    private final Http http = new Http();
    private PhasegateSystem system;
    private List<String> instances;
    private String workflow;

    abstract PhasegateSystem.Mode mode();

    @BeforeAll
    void startSystem() {
        system = PhasegateSystem.start(mode(), Map.of("PHASEGATE_STREAMS_HEARTBEAT_INTERVAL", "1s"));
        String second = system.startExtraInstance("query-service");
        instances = List.of(system.queryUrl(), system.instanceUrl(second));
        workflow = workflowId("scale");
        Http.Response published = http.put(system.gatewayUrl() + "/api/v1/workflows/" + workflow)
                .bearer(system.adminToken()).body(workflowYaml(workflow, 1), YAML).send();
        assertThat(published.status()).as(published.toString()).isEqualTo(201);
    }

    @AfterAll
    void stopSystem() {
        if (system != null) {
            system.close();
        }
    }

    @Test
    @Order(1)
    void eitherInstanceAnswersAQueryAtTheCommandsPositionAtOnce() {
        // the projections' segments are each claimed by one instance; reads alternate, so both kinds are asked
        assertThat(system.queryForLong("SELECT COUNT(DISTINCT owner) FROM query.token_entry WHERE processor_name = 'tasks' "
                + "AND owner IS NOT NULL")).as("one instance processes the tasks projection").isEqualTo(1);
        long[] slowest = new long[instances.size()];
        for (int i = 0; i < 20; i++) {
            long started = System.nanoTime();
            Created task = create("read " + i);
            long created = System.nanoTime();
            String instance = instances.get(i % 2);
            Http.Response read = http.get(instance + "/api/v1/tasks/" + task.id() + "?min_position=" + task.position())
                    .header("X-Phasegate-Identity", identity("developer")).send();
            slowest[i % 2] = Math.max(slowest[i % 2], System.nanoTime() - created);
            System.out.printf("create %d ms, read on instance %d %d ms%n", (created - started) / 1_000_000, i % 2,
                    (System.nanoTime() - created) / 1_000_000);
            assertThat(read.status()).as("read " + i + " on " + instance + ": " + read).isEqualTo(200);
            assertThat(read.json().path("task_id").asString()).isEqualTo(task.id());
            assertThat(read.json().path("title").asString()).isEqualTo("read " + i);
        }
        System.out.printf("two query-service instances: slowest read with min_position %d ms (processing instance "
                + "or not), %d ms%n", slowest[0] / 1_000_000, slowest[1] / 1_000_000);
    }

    @Test
    @Order(2)
    void bothInstancesStreamEveryNewRecordLiveInOrder() throws Exception {
        long marker = create("marker").position();
        List<SseStream> streams = new ArrayList<>();
        try {
            for (String instance : instances) {
                SseStream stream = SseStream.open(instance + "/api/v1/streams/audit",
                        Map.of("X-Phasegate-Identity", identity("auditor"), "Last-Event-ID", Long.toString(marker - 1)));
                assertThat(stream.status()).as("stream on " + instance).isEqualTo(200);
                streams.add(stream);
            }
            // each stream has caught up (the marker's record came from the table): what follows must come live
            for (SseStream stream : streams) {
                assertThat(stream.take(1, LIVE).get(0).id()).isEqualTo(Long.toString(marker));
            }
            List<Long> written = new ArrayList<>();
            List<Long> writtenAt = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                written.add(create("live " + i).position());
                writtenAt.add(System.nanoTime());
            }
            for (int s = 0; s < streams.size(); s++) {
                List<SseStream.Event> events = streams.get(s).take(written.size(), LIVE);
                assertThat(events).extracting(e -> Long.parseLong(e.id())).as("stream on " + instances.get(s))
                        .containsExactlyElementsOf(written);
                assertThat(streams.get(s).poll(Duration.ofMillis(300))).as("no duplicate").isNull();
                long worst = 0;
                for (int i = 0; i < events.size(); i++) {
                    worst = Math.max(worst, events.get(i).receivedNanos() - writtenAt.get(i));
                }
                System.out.printf("two query-service instances: stream on %s, slowest record %d ms after its 201%n",
                        instances.get(s), worst / 1_000_000);
            }
        } finally {
            streams.forEach(SseStream::close);
        }
    }

    @Test
    @Order(3)
    void whenTheProcessingInstanceStopsTheOtherTakesTheProjectionsOver() throws Exception {
        String survivor = instances.get(1);
        SseStream stream = SseStream.open(survivor + "/api/v1/streams/tasks",
                Map.of("X-Phasegate-Identity", identity("auditor")));
        try {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(system.terminate("query-service", Duration.ofSeconds(30))).as("exit code").isEqualTo(143);
            Created task = create("after the first instance stopped");
            Http.Response read = E2eSupport.await(() -> http.get(survivor + "/api/v1/tasks/" + task.id()
                            + "?min_position=" + task.position()).header("X-Phasegate-Identity", identity("developer"))
                            .send(), r -> r.status() == 200, "the surviving instance to serve the new task");
            assertThat(read.json().path("title").asString()).isEqualTo("after the first instance stopped");
            assertThat(stream.take(1, LIVE).get(0).id()).isEqualTo(Long.toString(task.position()));
        } finally {
            stream.close();
        }
    }

    private record Created(String id, long position) {
    }

    private Created create(String title) {
        Http.Response created = http.post(system.gatewayUrl() + "/api/v1/tasks").bearer(system.adminToken())
                .json(Map.of("title", title, "workflow_id", workflow)).send();
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return new Created(created.json().path("task_id").asString(), created.json().path("position").asLong());
    }

    /** The internal identity the gateway forwards for a demo user (whose subject is their role). */
    private String identity(String role) {
        return system.mintInternalToken(role, PhasegateSystem.DEMO_ORG, List.of(role));
    }
}
