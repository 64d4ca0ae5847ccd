package io.phasegate.platform.observability;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Operations switches of every service (docs/operations.md), applied before logging starts:
 * <ul>
 *   <li>{@code PHASEGATE_LOG_FORMAT}: {@code text} (default: Spring Boot's human-readable console lines) or
 *   {@code json} (one ECS JSON object per line, {@code logging.structured.format.console=ecs}, with the MDC's
 *   {@code correlation_id});</li>
 *   <li>{@code PHASEGATE_MANAGEMENT_PORT}: unset or empty (default), the actuator endpoints share the service's port;
 *   a port number serves them on that port only ({@code management.server.port}), on the same bind address.</li>
 * </ul>
 * Explicit {@code logging.structured.format.console} or {@code management.server.port} settings win.
 */
public class ObservabilityEnvironmentPostProcessor implements EnvironmentPostProcessor {

    static final String SOURCE_NAME = "phasegateObservability";
    static final String LOG_FORMAT = "PHASEGATE_LOG_FORMAT";
    static final String MANAGEMENT_PORT = "PHASEGATE_MANAGEMENT_PORT";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication application) {
        Map<String, Object> props = new LinkedHashMap<>();
        String format = env.getProperty("PHASEGATE_LOG_FORMAT", "text").strip().toLowerCase(Locale.ROOT);
        switch (format) {
            case "", "text" -> { }
            case "json" -> {
                if (!env.containsProperty("logging.structured.format.console")) {
                    props.put("logging.structured.format.console", "ecs");
                }
            }
            default -> throw new IllegalStateException(LOG_FORMAT + " must be json or text, not '" + format + "'");
        }
        String port = env.getProperty("PHASEGATE_MANAGEMENT_PORT", "").strip();
        if (!port.isEmpty()) {
            if (!port.matches("\\d{1,5}") || Integer.parseInt(port) > 65535) {
                throw new IllegalStateException(MANAGEMENT_PORT + " must be a port number, not '" + port + "'");
            }
            if (!env.containsProperty("management.server.port")) {
                props.put("management.server.port", port);
                String address = env.getProperty("server.address");
                if (address != null && !env.containsProperty("management.server.address")) {
                    props.put("management.server.address", address);
                }
            }
        }
        if (!props.isEmpty()) {
            // before application.yml: explicit settings still win (they are checked above as well)
            env.getPropertySources().addFirst(new MapPropertySource(SOURCE_NAME, props));
        }
    }
}
