package io.phasegate.platform.storage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.mock.env.MockEnvironment;

/** The Axon Server settings the axonserver storage mode derives (docs/adr/0013-axon-server-mode.md). */
class AxonServerModeSettingsTest {

    private static MockEnvironment axonServerMode() {
        return new MockEnvironment()
                .withProperty("phasegate.storage.service-schema", "query")
                .withProperty("phasegate.storage.mode", "axonserver")
                .withProperty("phasegate.storage.url", "jdbc:postgresql://db:5432/phasegate")
                .withProperty("phasegate.storage.username", "pg");
    }

    private static MockEnvironment process(MockEnvironment env) {
        new StorageEnvironmentPostProcessor().postProcessEnvironment(env, new SpringApplication());
        return env;
    }

    @Test
    void everyProcessorReceivesEveryEvent() {
        MockEnvironment env = process(axonServerMode());

        assertThat(env.getProperty("axon.axonserver.event-block-listing-enabled")).isEqualTo("false");
    }

    @Test
    void tokenAndCertificateAreAppliedOnlyWhenGiven() {
        MockEnvironment none = process(axonServerMode());
        assertThat(none.containsProperty("axon.axonserver.token")).isFalse();
        assertThat(none.containsProperty("axon.axonserver.cert-file")).isFalse();

        MockEnvironment blank = process(axonServerMode().withProperty("AXON_SERVER_TOKEN", " "));
        assertThat(blank.containsProperty("axon.axonserver.token")).isFalse();

        MockEnvironment given = process(axonServerMode()
                .withProperty("AXON_SERVER_TOKEN", "token-from-a-secret")
                .withProperty("AXON_SERVER_CERT_FILE", "/etc/axonserver/ca.pem"));
        assertThat(given.getProperty("axon.axonserver.token")).isEqualTo("token-from-a-secret");
        assertThat(given.getProperty("axon.axonserver.cert-file")).isEqualTo("/etc/axonserver/ca.pem");
    }

    @Test
    void anExplicitTokenPropertyWins() {
        MockEnvironment env = process(axonServerMode()
                .withProperty("AXON_SERVER_TOKEN", "from-the-variable")
                .withProperty("axon.axonserver.token", "explicit"));

        assertThat(env.getProperty("axon.axonserver.token")).isEqualTo("explicit");
    }

    @Test
    void otherModesLeaveAxonServerAlone() {
        MockEnvironment env = process(new MockEnvironment()
                .withProperty("phasegate.storage.service-schema", "query")
                .withProperty("phasegate.storage.mode", "postgres")
                .withProperty("phasegate.storage.url", "jdbc:postgresql://db:5432/phasegate")
                .withProperty("phasegate.storage.username", "pg")
                .withProperty("AXON_SERVER_TOKEN", "unused"));

        assertThat(env.getProperty("axon.axonserver.enabled")).isEqualTo("false");
        assertThat(env.containsProperty("axon.axonserver.token")).isFalse();
        assertThat(env.containsProperty("axon.axonserver.event-block-listing-enabled")).isFalse();
    }
}
