package io.phasegate.e2e;

import static io.phasegate.e2e.E2eSupport.YAML;
import static io.phasegate.e2e.E2eSupport.workflowId;
import static io.phasegate.e2e.E2eSupport.workflowYaml;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * Command routing through Axon Server between two command-service instances (SPEC §1, axonserver mode): commands
 * sent over HTTP to the second instance are handled, by Axon Server's routing, partly by the first one, and their
 * results (the created task, the position to read it at) come back to the caller. Skipped unless an Axon Server is
 * configured ({@code PHASEGATE_E2E_AXONSERVER}); see docs/adr/0013-axon-server-mode.md.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AxonServerCommandRoutingIT {

    private static final Pattern CREATE_TASK_COUNT = Pattern.compile(
            "(?m)^phasegate_commands_seconds_count\\{[^}]*command=\"CreateTaskCommand\"[^}]*\\} ([0-9.E]+)$");

    private final Http http = new Http();
    private PhasegateSystem system;
    private String secondInstance;

    @BeforeAll
    void startSystem() {
        system = PhasegateSystem.start(PhasegateSystem.Mode.AXONSERVER);
        secondInstance = system.instanceUrl(system.startExtraInstance("command-service"));
    }

    @AfterAll
    void stopSystem() {
        if (system != null) {
            system.close();
        }
    }

    @Test
    void commandsSentToOneInstanceAreRoutedToBothAndAnswered() {
        String workflow = workflowId("routing");
        Http.Response published = http.put(system.gatewayUrl() + "/api/v1/workflows/" + workflow)
                .bearer(system.developerToken()).body(workflowYaml(workflow, 1), YAML).send();
        assertThat(published.status()).as(published.toString()).isEqualTo(201);

        double firstBefore = createTaskCommandsHandled(system.commandUrl());
        double secondBefore = createTaskCommandsHandled(secondInstance);
        String identity = system.mintInternalToken("router", PhasegateSystem.DEMO_ORG, List.of("developer"));
        int commands = 24;
        List<JsonNode> created = new ArrayList<>();
        for (int i = 0; i < commands; i++) {
            // every request goes to the second instance; each task is a new aggregate, so a new routing key
            Http.Response response = http.post(secondInstance + "/api/v1/tasks")
                    .header("X-Phasegate-Identity", identity)
                    .json(Map.of("title", "routed " + i, "workflow_id", workflow)).send();
            assertThat(response.status()).as(response.toString()).isEqualTo(201);
            created.add(response.json());
        }
        double handledByFirst = createTaskCommandsHandled(system.commandUrl()) - firstBefore;
        double handledBySecond = createTaskCommandsHandled(secondInstance) - secondBefore;
        System.out.printf("[e2e] axonserver routing: %d CreateTaskCommands sent to instance 2; handled by instance 1: "
                + "%.0f, by instance 2: %.0f%n", commands, handledByFirst, handledBySecond);

        assertThat(handledByFirst + handledBySecond).as("every command handled exactly once").isEqualTo(commands);
        assertThat(handledByFirst).as("commands Axon Server routed to the instance that did not receive them")
                .isPositive();
        // the results came back across instances: each task exists and is readable at the answered position
        for (JsonNode task : created) {
            String taskId = task.path("task_id").asString();
            long position = task.path("position").asLong();
            assertThat(position).isNotNegative();
            Http.Response read = http.get(system.gatewayUrl() + "/api/v1/tasks/" + taskId + "?min_position=" + position)
                    .bearer(system.developerToken()).send();
            assertThat(read.status()).as(read.toString()).isEqualTo(200);
            assertThat(read.json().path("title").asString()).startsWith("routed ");
        }
        assertThat(system.countEvents()).isGreaterThanOrEqualTo(commands);
    }

    /** The CreateTaskCommands handled on an instance, from its command timer ({@code phasegate.commands}). */
    private double createTaskCommandsHandled(String instanceUrl) {
        Http.Response metrics = http.get(instanceUrl + "/actuator/prometheus").send();
        assertThat(metrics.status()).as(metrics.toString()).isEqualTo(200);
        double total = 0;
        Matcher m = CREATE_TASK_COUNT.matcher(metrics.body());
        while (m.find()) {
            total += Double.parseDouble(m.group(1));
        }
        return total;
    }
}
