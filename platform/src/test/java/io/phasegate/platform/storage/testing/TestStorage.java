package io.phasegate.platform.storage.testing;

import io.phasegate.platform.identity.testing.TestIdentities;
import io.phasegate.platform.storage.SqlDialect;
import io.phasegate.platform.storage.StorageMode;
import io.phasegate.testsupport.H2TestServer;
import io.phasegate.testsupport.PostgresServer;
import java.util.UUID;
import org.springframework.test.context.DynamicPropertyRegistry;

/** Points a service under test at a database of its own (shared by the services' integration tests). */
public final class TestStorage {

    private TestStorage() {
    }

    /** A fresh database on the shared H2 test server, registered for {@code serviceSchema}; returns its JDBC URL. */
    public static String freshH2(DynamicPropertyRegistry registry, String serviceSchema) {
        H2TestServer h2 = H2TestServer.shared();
        String url = h2.jdbcUrl(serviceSchema + "_" + UUID.randomUUID().toString().replace("-", ""));
        register(registry, "embedded", url, h2.username(), h2.password(), serviceSchema);
        return url;
    }

    /** A fresh database on the shared PostgreSQL test server, registered for {@code serviceSchema}; returns its URL. */
    public static String freshPostgres(DynamicPropertyRegistry registry, String serviceSchema) {
        PostgresServer postgres = PostgresServer.shared();
        String url = postgres.createDatabase(serviceSchema + "_" + UUID.randomUUID().toString().replace("-", ""));
        register(registry, "postgres", url, postgres.username(), postgres.password(), serviceSchema);
        return url;
    }

    /**
     * Registers the storage properties of a test database. Besides {@code phasegate.storage.*}, the
     * {@code spring.datasource.*} values that {@code StorageEnvironmentPostProcessor} would derive are set too: that
     * post-processor runs before {@code @DynamicPropertySource} values exist, so on its own it would derive the data
     * source from application.yml's defaults instead of the test's database (docs/known-issues.md). The services
     * also trust {@link TestIdentities}' internal signing key.
     */
    public static void register(DynamicPropertyRegistry registry, String mode, String url, String username,
                                String password, String serviceSchema) {
        SqlDialect dialect = StorageMode.parse(mode).dialect();
        registry.add("phasegate.storage.mode", () -> mode);
        registry.add("phasegate.storage.url", () -> url);
        registry.add("phasegate.storage.username", () -> username);
        registry.add("phasegate.storage.password", () -> password);
        registry.add("spring.datasource.url", () -> url);
        registry.add("spring.datasource.username", () -> username);
        registry.add("spring.datasource.password", () -> password);
        registry.add("spring.datasource.driver-class-name", dialect::driverClassName);
        registry.add("spring.datasource.hikari.schema", () -> dialect.storedIdentifier(serviceSchema));
        registry.add("phasegate.security.internal.public-keys-file", TestIdentities.PUBLIC_KEYS_FILE::toString);
    }
}
