package io.phasegate.query.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.phasegate.platform.storage.testing.TestStorage;
import io.phasegate.platform.web.ApiException;
import io.phasegate.query.position.ProjectionPositions;
import io.phasegate.query.task.TaskProjection;
import java.time.Duration;
import org.axonframework.eventhandling.StreamingEventProcessor;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Read-your-writes when another query-service instance processes the projection (ADR 0005): this instance then
 * holds no segment of it and judges a position by the token stored in {@code token_entry} — and, when that token is
 * behind, by whether the events in between are of types the projection handles at all (a processor stores its token
 * after ignored events only about a second later). Here the tasks projection is stopped, which leaves its segment
 * unclaimed with its last token stored, exactly as when another instance holds it and does not move.
 */
class H2ProjectionPositionsTest extends QueryStorageTestSupport {

    private static String url;

    /** An event type no projection of query-service handles but the audit trail. */
    record UnrelatedTestEvent(String orgId, String note) {
    }

    @Autowired
    ProjectionPositions positions;

    @Override
    String databaseUrl() {
        return url;
    }

    @DynamicPropertySource
    static void h2(DynamicPropertyRegistry registry) {
        url = TestStorage.freshH2(registry, "query");
    }

    @Test
    void aProjectionProcessedElsewhereIsJudgedByItsStoredTokenAndTheEventTypesItHandles() {
        StreamingEventProcessor tasks = processor(TaskProjection.GROUP);
        String wf = "wf-" + suffix();
        String first = "pos-a-" + suffix();
        long processed = emit("Task", first, task(first, "acme", "positions", wf));
        awaitCaughtUp(tasks, processed);
        tasks.shutDown();
        assertThat(tasks.processingStatus()).as("no segment of it is processed here").isEmpty();

        // covered by the stored token
        positions.await(TaskProjection.GROUP, processed).block(Duration.ofSeconds(5));
        // beyond the stored token, but only an event the projection does not handle
        long unrelated = emit("Other", "other-" + suffix(), new UnrelatedTestEvent("acme", "not a task"));
        assertThat(unrelated).isGreaterThan(processed);
        long started = System.nanoTime();
        positions.await(TaskProjection.GROUP, unrelated).block(Duration.ofSeconds(5));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("answered without waiting for the token")
                .isLessThan(Duration.ofMillis(MAX_WAIT_MS));

        // an event it handles, which nobody processes while it is stopped: not reached, whatever else is stored
        String second = "pos-b-" + suffix();
        long handled = emit("Task", second, task(second, "acme", "positions", wf));
        assertThatThrownBy(() -> positions.await(TaskProjection.GROUP, handled).block(Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(ApiException.class,
                        e -> assertThat(e.code()).isEqualTo("position_not_reached"));

        // once the processing instance (here: this one again) has passed it
        tasks.start();
        positions.await(TaskProjection.GROUP, handled).block(Duration.ofSeconds(15));
        awaitCaughtUp(tasks, handled);
    }
}
