package io.phasegate.platform.storage;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Derives the datasource and Axon settings from {@code phasegate.storage.*}, so that operators choose a mode
 * with one variable ({@code PHASEGATE_STORAGE_MODE}) and the services share one code path.
 *
 * <p>The derived values are added with the lowest precedence: anything set explicitly
 * ({@code spring.datasource.url}, ...) still wins. Services without a {@code phasegate.storage.service-schema}
 * (the gateway) get nothing.
 */
public class StorageEnvironmentPostProcessor implements EnvironmentPostProcessor {

    static final String SOURCE_NAME = "phasegateStorageDefaults";
    static final String DEFAULT_H2_URL = "jdbc:h2:tcp://127.0.0.1:9092/phasegate";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment env, SpringApplication application) {
        String serviceSchema = env.getProperty("phasegate.storage.service-schema");
        if (serviceSchema == null || serviceSchema.isBlank()) {
            return;
        }
        StorageMode mode = StorageMode.parse(env.getProperty("phasegate.storage.mode"));
        SqlDialect dialect = mode.dialect();
        Map<String, Object> props = new LinkedHashMap<>();
        if (mode == StorageMode.EMBEDDED) {
            props.put("spring.datasource.url", env.getProperty("phasegate.storage.url", DEFAULT_H2_URL));
            props.put("spring.datasource.username", env.getProperty("phasegate.storage.username", "phasegate"));
            props.put("spring.datasource.password", env.getProperty("phasegate.storage.password", "phasegate"));
        } else if (!env.containsProperty("spring.datasource.url")) {
            props.put("spring.datasource.url", required(env, "phasegate.storage.url", mode));
            props.put("spring.datasource.username", required(env, "phasegate.storage.username", mode));
            props.put("spring.datasource.password", env.getProperty("phasegate.storage.password", ""));
        }
        props.put("spring.datasource.driver-class-name", dialect.driverClassName());
        props.put("spring.datasource.hikari.schema", dialect.storedIdentifier(serviceSchema));
        props.put("spring.datasource.hikari.maximum-pool-size", env.getProperty("phasegate.storage.pool-size", "16"));
        props.put("spring.datasource.hikari.connection-timeout", "10000");
        props.put("spring.datasource.hikari.pool-name", serviceSchema + "-pool");
        props.put("axon.axonserver.enabled", String.valueOf(mode == StorageMode.AXONSERVER));
        if (mode == StorageMode.AXONSERVER) {
            // Every processor must receive every event: with Axon Server's block listing a processor is not sent the
            // event types it has no handler for, so its token stays at its last handled event, and read-your-writes
            // (every processor behind a view must reach the command's position) waited in vain for views built by
            // several processors (ADR 0013). Costs the same traffic as the JDBC store's stream.
            props.put("axon.axonserver.event-block-listing-enabled", "false");
            // optional connection settings, set only when given (Axon treats an empty token as a token)
            copyIfSet(env, "AXON_SERVER_TOKEN", "axon.axonserver.token", props);
            copyIfSet(env, "AXON_SERVER_CERT_FILE", "axon.axonserver.cert-file", props);
        }
        env.getPropertySources().addLast(new MapPropertySource(SOURCE_NAME, props));
    }

    private static void copyIfSet(ConfigurableEnvironment env, String variable, String property,
                                  Map<String, Object> props) {
        String value = env.getProperty(variable);
        if (value != null && !value.isBlank() && !env.containsProperty(property)) {
            props.put(property, value.trim());
        }
    }

    private static String required(ConfigurableEnvironment env, String key, StorageMode mode) {
        String value = env.getProperty(key);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(key + " must be set in the " + mode.name().toLowerCase() + " storage mode");
        }
        return value;
    }
}
