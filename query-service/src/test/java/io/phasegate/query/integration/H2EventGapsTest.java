package io.phasegate.query.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.phasegate.platform.storage.testing.TestStorage;
import io.phasegate.query.task.TaskProjection;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import org.axonframework.eventhandling.EventTrackerStatus;
import org.axonframework.eventhandling.GapAwareTrackingToken;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventhandling.WrappedToken;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * {@code phasegate.storage.gaps.*} reaches the JDBC event store (ADR 0003, "Gaps"): a processor keeps a gap (an
 * index whose insert rolled back) in its token while it is within {@code max-offset} of the newest event, and gives
 * it up beyond. Axon's default (10,000) and Phasegate's (100,000) would keep it here; 5 does not.
 */
@TestPropertySource(properties = "phasegate.storage.gaps.max-offset=5")
class H2EventGapsTest extends QueryStorageTestSupport {

    private static String url;

    @Override
    String databaseUrl() {
        return url;
    }

    @DynamicPropertySource
    static void h2(DynamicPropertyRegistry registry) {
        url = TestStorage.freshH2(registry, "query");
    }

    @Test
    void aGapIsKeptWithinTheMaximumOffsetAndGivenUpBeyondIt() throws Exception {
        String wf = "wf-" + suffix();
        emit("Task", "gap-a-" + suffix(), task("gap-a-" + suffix(), "acme", "gaps", wf));
        long gap = rolledBackAppend();
        long next = emit("Task", "gap-b-" + suffix(), task("gap-b-" + suffix(), "acme", "gaps", wf));
        assertThat(next).isGreaterThan(gap);
        StreamingEventProcessor tasks = processor(TaskProjection.GROUP);
        awaitCaughtUp(tasks, next);
        assertThat(gaps(tasks)).as("gaps of the token at " + next).contains(gap);

        long last = next;
        for (int i = 0; i < 6; i++) {
            String id = "gap-c-" + i + "-" + suffix();
            last = emit("Task", id, task(id, "acme", "gaps", wf));
        }
        awaitCaughtUp(tasks, last);
        assertThat(last - gap).isGreaterThan(5);
        assertThat(gaps(tasks)).as("gaps of the token at " + last).doesNotContain(gap);
    }

    /** Inserts an event row and rolls the insert back: its global index stays unused, a gap. */
    private long rolledBackAppend() throws Exception {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + EVENTS
                    + " (event_identifier, aggregate_identifier, sequence_number, type, time_stamp, payload_type, "
                    + "payload) VALUES (?, ?, 0, 'Task', '2026-11-27T00:00:00Z', 'x', X'00')",
                    Statement.RETURN_GENERATED_KEYS)) {
                insert.setString(1, UUID.randomUUID().toString());
                insert.setString(2, "rolled-back-" + suffix());
                insert.executeUpdate();
                try (ResultSet keys = insert.getGeneratedKeys()) {
                    assertThat(keys.next()).isTrue();
                    long index = keys.getLong(1);
                    connection.rollback();
                    return index;
                }
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    private static Set<Long> gaps(StreamingEventProcessor processor) {
        EventTrackerStatus status = processor.processingStatus().values().iterator().next();
        TrackingToken token = WrappedToken.unwrapLowerBound(status.getTrackingToken());
        assertThat(token).isInstanceOf(GapAwareTrackingToken.class);
        return ((GapAwareTrackingToken) token).getGaps();
    }
}
