package io.phasegate.query.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.phasegate.events.task.TaskCreatedEvent;
import io.phasegate.events.workflow.PhaseDefinition;
import io.phasegate.events.workflow.TransitionDefinition;
import io.phasegate.events.workflow.WorkflowDefinition;
import io.phasegate.platform.identity.InternalTokens;
import io.phasegate.query.metrics.WorkflowMetricsProjection;
import io.phasegate.query.task.TaskProjection;
import io.phasegate.query.token.TestPhaseTokens;
import io.phasegate.query.tool.ToolCallProjection;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import io.phasegate.query.workflow.WorkflowProjection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.axonframework.config.EventProcessingConfiguration;
import org.axonframework.eventhandling.EventBus;
import org.axonframework.eventhandling.EventHandlerInvoker;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.GapAwareTrackingToken;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.Segment;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventhandling.WrappedToken;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.messaging.ResultMessage;
import org.axonframework.messaging.unitofwork.DefaultUnitOfWork;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The fixture of query-service's storage tests: the service over real HTTP against a real event store and real query
 * tables. Events are appended to the JDBC event store through the context's own event bus (inside a unit of work),
 * exactly as command-service appends them; the service's processors tail the store and the HTTP API answers from the
 * projections. Subclasses choose the database (H2 server or PostgreSQL), a fresh one per class.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"axon.update-check.disabled=true", "axoniq.update-checker.disabled=true",
                "phasegate.storage.migrate-event-store=true", "phasegate.query.max-wait-ms=" + QueryStorageTestSupport.MAX_WAIT_MS})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class QueryStorageTestSupport {

    static final String EVENTS = "eventstore.domain_event_entry";
    /**
     * The query's max wait for {@code min_position}. Not 500 ms: the pooled processors poll the embedded event store
     * every 500 ms when idle (the store's streams offer no availability callback), so an event becomes visible
     * after up to ~500 ms plus processing, and a 500 ms wait would make read-your-writes requests fail at random.
     */
    static final long MAX_WAIT_MS = 1500;
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final Set<String> TASK_FIELDS = Set.of("task_id", "org_id", "project_id", "title", "description", "status",
            "phase", "claimed_by", "lease_expires_at", "workflow_id", "workflow_version", "depends_on", "required_capabilities", "priority",
            "created_by", "created_at", "updated_at", "position", "blockers", "reviews", "allowed_tools", "dependencies",
            "pending_approvals", "completed_at", "cancelled_at");
    /** Every processing group of query-service. */
    static final List<String> GROUPS = List.of(TaskProjection.GROUP, WorkflowProjection.GROUP, ToolCallProjection.GROUP,
            WorkflowMetricsProjection.GROUP);

    /** The services verify phase tokens with the keys of this JVM's test JWK-set server. */
    @DynamicPropertySource
    static void phaseTokenKeys(DynamicPropertyRegistry registry) {
        registry.add("phasegate.tokens.jwks-uri", () -> TestPhaseTokens.shared().jwksUri());
    }

    /** The JDBC URL of this class's fresh database. */
    abstract String databaseUrl();

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    DataSource dataSource;

    @Autowired
    EventBus eventBus;

    @Autowired
    EventStorageEngine storageEngine;

    @Autowired
    EventProcessingConfiguration processing;

    WebTestClient http;

    @BeforeEach
    void setUp() {
        http = WebTestClient.bindToServer()
                .baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(30))
                .build();
        // precondition, not a wait for a result: every processor runs and has claimed its segment
        for (String group : GROUPS) {
            awaitCondition("processor " + group + " claims its segment",
                    () -> !processor(group).processingStatus().isEmpty(), Duration.ofSeconds(30));
        }
    }


    /** Next sequence number per aggregate, for {@link #emit}. */
    private final Map<String, Long> sequences = new HashMap<>();

    /** A short random suffix that keeps a test's ids apart from other tests' in the shared database. */
    static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    /** Appends an event of the task aggregate {@code taskId} with its next sequence number. */
    long emit(String taskId, Object event) {
        return emit("Task", taskId, event);
    }

    /** Appends an event of an aggregate with its next sequence number; returns its global index. */
    long emit(String aggregateType, String aggregateId, Object event) {
        long sequence = sequences.merge(aggregateId, 1L, Long::sum) - 1;
        return append(aggregateType, aggregateId, sequence, event);
    }

    /** Appends one domain event through the context's event bus in a unit of work; returns its global index. */
    long append(String aggregateType, String aggregateId, long sequence, Object payload) {
        DefaultUnitOfWork.startAndGet(null).execute(() -> eventBus.publish(
                new GenericDomainEventMessage<>(aggregateType, aggregateId, sequence, payload)));
        return jdbc.queryForObject("SELECT global_index FROM " + EVENTS
                + " WHERE aggregate_identifier = ? AND sequence_number = ?", Long.class, aggregateId, sequence);
    }

    static TaskCreatedEvent task(String taskId, String org, String project, String workflowId) {
        return new TaskCreatedEvent(taskId, org, project, "Task " + taskId, null, workflowId, 1, "PLAN", List.of(),
                List.of("java"), 0, "alice", Instant.now().truncatedTo(ChronoUnit.MILLIS));
    }

    static WorkflowDefinition definition(String id, int version, WorkflowDefinition.Enforcement enforcement) {
        return new WorkflowDefinition(id, version, enforcement, 7200, 900,
                List.of(new PhaseDefinition("PLAN", false,
                                new PhaseDefinition.ToolPolicy(List.of("read_file"), Map.of(), List.of()), null),
                        new PhaseDefinition("DONE", true, null, null)),
                List.of(new TransitionDefinition("PLAN", "DONE", List.of("plan"), List.of())), Map.of(), Map.of());
    }

    StreamingEventProcessor processor(String group) {
        return processing.eventProcessor(group, StreamingEventProcessor.class)
                .orElseThrow(() -> new AssertionError("no streaming processor " + group));
    }

    long lastIndex() {
        Long last = jdbc.queryForObject("SELECT MAX(global_index) FROM " + EVENTS, Long.class);
        return last == null ? 0 : last;
    }

    int taskEventCount() {
        return jdbc.queryForObject("SELECT COUNT(*) FROM " + EVENTS + " WHERE payload_type = ?", Integer.class,
                TaskCreatedEvent.class.getName());
    }

    /**
     * Waits until every segment of the processor runs without error and has processed {@code position}. (A reset
     * processor keeps reporting "replaying" until it handles an event past the reset position, so that is not
     * waited for.)
     */
    void awaitCaughtUp(StreamingEventProcessor processor, long position) {
        awaitCondition(processor.getName() + " processed position " + position, () -> {
            Map<Integer, EventTrackerStatus> statuses = processor.processingStatus();
            if (!processor.isRunning() || statuses.isEmpty()) {
                return false;
            }
            for (EventTrackerStatus status : statuses.values()) {
                TrackingToken lower = WrappedToken.unwrapLowerBound(status.getTrackingToken());
                if (status.isErrorState() || lower == null
                        || lower.position().orElse(-1L) < position) {
                    return false;
                }
            }
            return true;
        }, Duration.ofSeconds(15), () -> "running=" + processor.isRunning() + ", statuses="
                + processor.processingStatus() + ", stored tokens=" + jdbc.queryForList(
                "SELECT segment, token_type, owner FROM token_entry WHERE processor_name = ?", processor.getName()));
    }

    static void awaitCondition(String what, BooleanSupplier condition, Duration timeout) {
        awaitCondition(what, condition, timeout, () -> "");
    }

    static void awaitCondition(String what, BooleanSupplier condition, Duration timeout, Supplier<String> state) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out after " + timeout + " waiting until " + what + " " + state.get());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** The event at {@code position}, read back from the store as a processor receives it (with its token). */
    TrackedEventMessage<?> trackedEventAt(long position) {
        try (Stream<? extends TrackedEventMessage<?>> events = storageEngine.readEvents(
                GapAwareTrackingToken.newInstance(position - 1, List.of()), false)) {
            return events.filter(e -> e.trackingToken().position().orElse(-1L) == position)
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no event at position " + position));
        }
    }

    static void redeliver(EventHandlerInvoker invoker, TrackedEventMessage<?> event) {
        ResultMessage<Object> result = DefaultUnitOfWork.startAndGet(event).executeWithResult(() -> {
            invoker.handle(event, Segment.ROOT_SEGMENT);
            return null;
        });
        if (result.isExceptional()) {
            throw new AssertionError("the handler failed", result.exceptionResult());
        }
    }

    List<String> taskRows() {
        return jdbc.query("SELECT * FROM tasks ORDER BY task_id", QueryStorageTestSupport::describe);
    }

    List<String> taskRow(String taskId) {
        return jdbc.query("SELECT * FROM tasks WHERE task_id = ?", QueryStorageTestSupport::describe, taskId);
    }

    private static String describe(ResultSet rs, int row) throws SQLException {
        return String.join("|", rs.getString("task_id"), rs.getString("org_id"), rs.getString("project_id"),
                rs.getString("title"), String.valueOf(rs.getString("description")), rs.getString("status"),
                rs.getString("phase"), String.valueOf(rs.getString("claimed_by")),
                String.valueOf(rs.getTimestamp("lease_expires_at") == null ? null
                        : rs.getTimestamp("lease_expires_at").toInstant()),
                String.valueOf(rs.getLong("token_generation")), rs.getString("workflow_id"), String.valueOf(rs.getInt("workflow_version")),
                rs.getString("depends_on"), rs.getString("required_capabilities"), String.valueOf(rs.getInt("priority")),
                rs.getString("created_by"), rs.getTimestamp("created_at").toInstant().toString(),
                rs.getTimestamp("updated_at").toInstant().toString(), String.valueOf(rs.getLong("created_position")),
                String.valueOf(rs.getLong("position")));
    }

    static String digest(List<String> rows) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String row : rows) {
                sha.update(row.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) '\n');
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    WebTestClient.ResponseSpec getTask(String taskId, long minPosition, String token) {
        return http.get().uri("/api/v1/tasks/{id}?min_position={p}", taskId, minPosition)
                .header(InternalTokens.HEADER, token)
                .exchange();
    }

    WebTestClient.ResponseSpec getWorkflow(String workflowId, String query, String token) {
        return http.get().uri("/api/v1/workflows/" + workflowId + "?" + query)
                .header(InternalTokens.HEADER, token)
                .exchange();
    }

    WebTestClient.ResponseSpec listTasks(String query, String token) {
        return http.get().uri("/api/v1/tasks?" + query)
                .header(InternalTokens.HEADER, token)
                .exchange();
    }

    JsonNode list(String query, String token) {
        return json(listTasks(query, token).expectStatus().isOk().expectBody(String.class).returnResult());
    }

    static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.path("items").forEach(item -> ids.add(item.path("task_id").asString()));
        return ids;
    }

    static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asString()));
        return values;
    }

    static Set<String> fieldNames(JsonNode node) {
        return Set.copyOf(node.propertyNames());
    }

    static JsonNode json(EntityExchangeResult<String> result) {
        String body = result.getResponseBody();
        assertThat(body).as("response body of %s", result.getUrl()).isNotNull();
        return JSON.readTree(body);
    }
}
