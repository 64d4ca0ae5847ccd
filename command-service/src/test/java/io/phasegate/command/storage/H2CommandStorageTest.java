package io.phasegate.command.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import io.phasegate.platform.storage.testing.TestStorage;
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
        url = TestStorage.freshH2(registry, "command");
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
