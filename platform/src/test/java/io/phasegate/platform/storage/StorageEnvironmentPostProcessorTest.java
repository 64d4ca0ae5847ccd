package io.phasegate.platform.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.PropertySource;
import org.springframework.mock.env.MockEnvironment;

class StorageEnvironmentPostProcessorTest {

    private final StorageEnvironmentPostProcessor processor = new StorageEnvironmentPostProcessor();

    private MockEnvironment process(MockEnvironment env) {
        processor.postProcessEnvironment(env, new SpringApplication());
        return env;
    }

    private static MockEnvironment service(String schema) {
        return new MockEnvironment().withProperty("phasegate.storage.service-schema", schema);
    }

    @Test
    void embeddedIsTheDefaultWithH2Defaults() {
        MockEnvironment env = process(service("command"));

        assertThat(env.getProperty("spring.datasource.url")).isEqualTo("jdbc:h2:tcp://127.0.0.1:9092/phasegate");
        assertThat(env.getProperty("spring.datasource.username")).isEqualTo("phasegate");
        assertThat(env.getProperty("spring.datasource.password")).isEqualTo("phasegate");
        assertThat(env.getProperty("spring.datasource.driver-class-name")).isEqualTo("org.h2.Driver");
        assertThat(env.getProperty("spring.datasource.hikari.schema")).isEqualTo("COMMAND");
        assertThat(env.getProperty("spring.datasource.hikari.maximum-pool-size")).isEqualTo("16");
        assertThat(env.getProperty("spring.datasource.hikari.pool-name")).isEqualTo("command-pool");
        assertThat(env.getProperty("axon.axonserver.enabled")).isEqualTo("false");
        PropertySource<?> last = env.getPropertySources().stream().reduce((a, b) -> b).orElseThrow();
        assertThat(last.getName()).as("defaults have the lowest precedence")
                .isEqualTo(StorageEnvironmentPostProcessor.SOURCE_NAME);
    }

    @Test
    void embeddedTakesTheStorageSettings() {
        MockEnvironment env = process(service("query")
                .withProperty("phasegate.storage.mode", "embedded")
                .withProperty("phasegate.storage.url", "jdbc:h2:mem:phasegate")
                .withProperty("phasegate.storage.username", "sa")
                .withProperty("phasegate.storage.password", "secret")
                .withProperty("phasegate.storage.pool-size", "4"));

        assertThat(env.getProperty("spring.datasource.url")).isEqualTo("jdbc:h2:mem:phasegate");
        assertThat(env.getProperty("spring.datasource.username")).isEqualTo("sa");
        assertThat(env.getProperty("spring.datasource.password")).isEqualTo("secret");
        assertThat(env.getProperty("spring.datasource.hikari.maximum-pool-size")).isEqualTo("4");
    }

    @Test
    void postgresUsesTheGivenDatabase() {
        MockEnvironment env = process(service("command")
                .withProperty("phasegate.storage.mode", "postgres")
                .withProperty("phasegate.storage.url", "jdbc:postgresql://db:5432/phasegate")
                .withProperty("phasegate.storage.username", "pg"));

        assertThat(env.getProperty("spring.datasource.url")).isEqualTo("jdbc:postgresql://db:5432/phasegate");
        assertThat(env.getProperty("spring.datasource.username")).isEqualTo("pg");
        assertThat(env.getProperty("spring.datasource.password")).isEmpty();
        assertThat(env.getProperty("spring.datasource.driver-class-name")).isEqualTo("org.postgresql.Driver");
        assertThat(env.getProperty("spring.datasource.hikari.schema")).isEqualTo("command");
        assertThat(env.getProperty("axon.axonserver.enabled")).isEqualTo("false");
    }

    @Test
    void axonServerModeEnablesAxonServerOnPostgres() {
        MockEnvironment env = process(service("query")
                .withProperty("phasegate.storage.mode", "axonserver")
                .withProperty("phasegate.storage.url", "jdbc:postgresql://db:5432/phasegate")
                .withProperty("phasegate.storage.username", "pg"));

        assertThat(env.getProperty("axon.axonserver.enabled")).isEqualTo("true");
        assertThat(env.getProperty("spring.datasource.driver-class-name")).isEqualTo("org.postgresql.Driver");
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgres", "axonserver"})
    void postgresModesRequireTheStorageUrl(String mode) {
        MockEnvironment missing = service("command")
                .withProperty("phasegate.storage.mode", mode)
                .withProperty("phasegate.storage.username", "pg");
        assertThatThrownBy(() -> process(missing))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("phasegate.storage.url")
                .hasMessageContaining(mode);

        MockEnvironment blank = service("command")
                .withProperty("phasegate.storage.mode", mode)
                .withProperty("phasegate.storage.url", "  ")
                .withProperty("phasegate.storage.username", "pg");
        assertThatThrownBy(() -> process(blank)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("phasegate.storage.url");
    }

    @Test
    void postgresRequiresTheUsername() {
        MockEnvironment env = service("command")
                .withProperty("phasegate.storage.mode", "postgres")
                .withProperty("phasegate.storage.url", "jdbc:postgresql://db:5432/phasegate");

        assertThatThrownBy(() -> process(env)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("phasegate.storage.username");
    }

    @Test
    void explicitDatasourceSettingsWin() {
        MockEnvironment env = process(service("command")
                .withProperty("spring.datasource.url", "jdbc:h2:mem:explicit")
                .withProperty("spring.datasource.hikari.schema", "OTHER")
                .withProperty("spring.datasource.hikari.maximum-pool-size", "2"));

        assertThat(env.getProperty("spring.datasource.url")).isEqualTo("jdbc:h2:mem:explicit");
        assertThat(env.getProperty("spring.datasource.hikari.schema")).isEqualTo("OTHER");
        assertThat(env.getProperty("spring.datasource.hikari.maximum-pool-size")).isEqualTo("2");
        // what is not set explicitly still comes from the defaults
        assertThat(env.getProperty("spring.datasource.driver-class-name")).isEqualTo("org.h2.Driver");
    }

    @Test
    void anExplicitDatasourceUrlReplacesTheStorageUrlInPostgresMode() {
        MockEnvironment env = process(service("command")
                .withProperty("phasegate.storage.mode", "postgres")
                .withProperty("spring.datasource.url", "jdbc:postgresql://explicit:5432/phasegate"));

        assertThat(env.getProperty("spring.datasource.url")).isEqualTo("jdbc:postgresql://explicit:5432/phasegate");
        assertThat(env.getProperty("spring.datasource.driver-class-name")).isEqualTo("org.postgresql.Driver");
        assertThat(env.getProperty("spring.datasource.hikari.schema")).isEqualTo("command");
    }

    @Test
    void anUnknownModeFailsWithAClearMessage() {
        MockEnvironment env = service("command").withProperty("phasegate.storage.mode", "mongo");

        assertThatThrownBy(() -> process(env))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("phasegate.storage.mode")
                .hasMessageContaining("embedded, postgres, axonserver")
                .hasMessageContaining("'mongo'");
    }

    @Test
    void modeIsCaseInsensitiveAndTrimmed() {
        MockEnvironment env = process(service("command")
                .withProperty("phasegate.storage.mode", " PostGres ")
                .withProperty("phasegate.storage.url", "jdbc:postgresql://db/phasegate")
                .withProperty("phasegate.storage.username", "pg"));

        assertThat(env.getProperty("spring.datasource.driver-class-name")).isEqualTo("org.postgresql.Driver");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  "})
    void withoutAServiceSchemaNothingIsSet(String schema) {
        MockEnvironment blank = process(service(schema).withProperty("phasegate.storage.mode", "mongo"));
        MockEnvironment absent = process(new MockEnvironment().withProperty("phasegate.storage.mode", "postgres"));

        for (MockEnvironment env : new MockEnvironment[] {blank, absent}) {
            assertThat(env.getPropertySources().contains(StorageEnvironmentPostProcessor.SOURCE_NAME)).isFalse();
            assertThat(env.getProperty("spring.datasource.url")).isNull();
            assertThat(env.getProperty("axon.axonserver.enabled")).isNull();
        }
    }

    @Test
    void h2UpperCasesAndPostgresLowerCasesTheHikariSchema() {
        MockEnvironment h2 = process(service("Command_Svc"));
        MockEnvironment pg = process(service("Command_Svc")
                .withProperty("phasegate.storage.mode", "postgres")
                .withProperty("phasegate.storage.url", "jdbc:postgresql://db/phasegate")
                .withProperty("phasegate.storage.username", "pg"));

        assertThat(h2.getProperty("spring.datasource.hikari.schema")).isEqualTo("COMMAND_SVC");
        assertThat(pg.getProperty("spring.datasource.hikari.schema")).isEqualTo("command_svc");
        assertThat(SqlDialect.H2.storedIdentifier("Event_Store")).isEqualTo("EVENT_STORE");
        assertThat(SqlDialect.POSTGRESQL.storedIdentifier("Event_Store")).isEqualTo("event_store");
    }
}
