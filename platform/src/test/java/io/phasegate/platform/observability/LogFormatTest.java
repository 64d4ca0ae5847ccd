package io.phasegate.platform.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** PHASEGATE_LOG_FORMAT switches the console between Spring Boot's text lines and ECS JSON lines. */
@ExtendWith(OutputCaptureExtension.class)
class LogFormatTest {

    @Configuration(proxyBeanMethods = false)
    static class Empty {
    }

    @BeforeEach
    @AfterEach
    void reset() {
        MDC.clear();
        // Spring Boot configures Logback once per JVM (a marker in the logger context): let each test start afresh
        ch.qos.logback.classic.LoggerContext logback = (ch.qos.logback.classic.LoggerContext) LoggerFactory.getILoggerFactory();
        logback.removeObject(org.springframework.boot.logging.LoggingSystem.class.getName());
        // ... and it leaves the chosen format behind as a system property
        System.getProperties().stringPropertyNames().stream().filter(name -> name.contains("STRUCTURED_FORMAT"))
                .forEach(System::clearProperty);
    }

    @Test
    void jsonWritesOneJsonObjectPerLineWithTheCorrelationId(CapturedOutput output) {
        try (ConfigurableApplicationContext ignored = start("--PHASEGATE_LOG_FORMAT=json")) {
            MDC.put(CorrelationIds.MDC_KEY, "corr-json-1");
            LoggerFactory.getLogger("io.phasegate.test").info("task created");
        }
        String line = output.getOut().lines().filter(l -> l.contains("task created")).findFirst().orElseThrow();
        JsonNode json = JsonMapper.builder().build().readTree(line);
        assertThat(json.path("message").asString()).isEqualTo("task created");
        assertThat(json.path("correlation_id").asString()).isEqualTo("corr-json-1");
        assertThat(json.path("log").path("level").asString()).isEqualTo("INFO");
        assertThat(json.path("@timestamp").asString()).isNotBlank();
    }

    @Test
    void textIsTheDefault(CapturedOutput output) {
        try (ConfigurableApplicationContext ignored = start()) {
            LoggerFactory.getLogger("io.phasegate.test").info("plain line");
        }
        String line = output.getOut().lines().filter(l -> l.contains("plain line")).findFirst().orElseThrow();
        assertThat(line).doesNotStartWith("{").contains("INFO");
    }

    @Test
    void anUnknownFormatIsRefusedAtStartUp() {
        assertThatThrownBy(() -> start("--PHASEGATE_LOG_FORMAT=xml").close())
                .hasMessageContaining("PHASEGATE_LOG_FORMAT must be json or text");
    }

    private static ConfigurableApplicationContext start(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.add("--spring.main.banner-mode=off");
        return new SpringApplicationBuilder(Empty.class).web(WebApplicationType.NONE)
                .run(all.toArray(String[]::new));
    }
}
