package io.phasegate.platform.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

class ObservabilityEnvironmentPostProcessorTest {

    private final ObservabilityEnvironmentPostProcessor processor = new ObservabilityEnvironmentPostProcessor();

    @Test
    void byDefaultTheActuatorSharesTheServicePortAndLogsAreText() {
        StandardEnvironment env = env(Map.of());
        processor.postProcessEnvironment(env, null);
        assertThat(env.getProperty("management.server.port")).isNull();
        assertThat(env.getProperty("logging.structured.format.console")).isNull();
    }

    @Test
    void aManagementPortMovesTheActuatorToItOnTheSameAddress() {
        StandardEnvironment env = env(Map.of("PHASEGATE_MANAGEMENT_PORT", "9181", "server.address", "0.0.0.0"));
        processor.postProcessEnvironment(env, null);
        assertThat(env.getProperty("management.server.port")).isEqualTo("9181");
        assertThat(env.getProperty("management.server.address")).isEqualTo("0.0.0.0");
    }

    @Test
    void jsonSelectsEcsUnlessAFormatIsSetExplicitly() {
        StandardEnvironment env = env(Map.of("PHASEGATE_LOG_FORMAT", "JSON"));
        processor.postProcessEnvironment(env, null);
        assertThat(env.getProperty("logging.structured.format.console")).isEqualTo("ecs");

        StandardEnvironment explicit = env(Map.of("PHASEGATE_LOG_FORMAT", "json",
                "logging.structured.format.console", "logstash"));
        processor.postProcessEnvironment(explicit, null);
        assertThat(explicit.getProperty("logging.structured.format.console")).isEqualTo("logstash");
    }

    @Test
    void invalidValuesAreRefused() {
        assertThatThrownBy(() -> processor.postProcessEnvironment(env(Map.of("PHASEGATE_MANAGEMENT_PORT", "80a")), null))
                .hasMessageContaining("PHASEGATE_MANAGEMENT_PORT must be a port number");
        assertThatThrownBy(() -> processor.postProcessEnvironment(env(Map.of("PHASEGATE_MANAGEMENT_PORT", "70000")),
                null)).hasMessageContaining("PHASEGATE_MANAGEMENT_PORT");
        assertThatThrownBy(() -> processor.postProcessEnvironment(env(Map.of("PHASEGATE_LOG_FORMAT", "yaml")), null))
                .hasMessageContaining("PHASEGATE_LOG_FORMAT must be json or text");
    }

    private static StandardEnvironment env(Map<String, Object> values) {
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().addFirst(new MapPropertySource("test", values));
        return env;
    }
}
