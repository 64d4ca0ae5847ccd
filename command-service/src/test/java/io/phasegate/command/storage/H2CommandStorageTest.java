package io.phasegate.command.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.phasegate.testsupport.H2TestServer;
import java.util.Map;
import java.util.UUID;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@link AbstractCommandStorageTest} on the embedded mode: an H2 database in server mode. */
class H2CommandStorageTest extends AbstractCommandStorageTest {

    private static String url;

    @Override
    String databaseUrl() {
        return url;
    }

    @DynamicPropertySource
    static void h2(DynamicPropertyRegistry registry) {
        H2TestServer h2 = H2TestServer.shared();
        url = h2.jdbcUrl("command_" + UUID.randomUUID().toString().replace("-", ""));
        storage(registry, "embedded", url, h2.username(), h2.password());
    }

    @Override
    void assertVendorSpecificEventStoreSchema() {
        Map<String, Object> payload = jdbc.queryForMap("SELECT data_type FROM information_schema.columns"
                + " WHERE table_schema = 'EVENTSTORE' AND table_name = 'DOMAIN_EVENT_ENTRY' AND column_name = 'PAYLOAD'");
        assertThat(payload.get("data_type")).isEqualTo("BINARY VARYING");
        Map<String, Object> index = jdbc.queryForMap("SELECT data_type, is_identity FROM information_schema.columns"
                + " WHERE table_schema = 'EVENTSTORE' AND table_name = 'DOMAIN_EVENT_ENTRY'"
                + " AND column_name = 'GLOBAL_INDEX'");
        assertThat(index.get("data_type")).isEqualTo("BIGINT");
        assertThat(index.get("is_identity")).isEqualTo("YES");
    }
}
