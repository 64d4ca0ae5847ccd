package io.phasegate.command.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import io.phasegate.platform.storage.testing.TestStorage;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@link AbstractCommandStorageTest} on PostgreSQL. */
class PostgresCommandStorageTest extends AbstractCommandStorageTest {

    private static String url;

    @Override
    String databaseUrl() {
        return url;
    }

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        url = TestStorage.freshPostgres(registry, "command");
    }

    @Override
    void assertVendorSpecificEventStoreSchema() {
        Map<String, Object> payload = jdbc.queryForMap("SELECT data_type FROM information_schema.columns"
                + " WHERE table_schema = 'eventstore' AND table_name = 'domain_event_entry' AND column_name = 'payload'");
        assertThat(payload.get("data_type")).isEqualTo("bytea");
        Map<String, Object> metaData = jdbc.queryForMap("SELECT data_type FROM information_schema.columns"
                + " WHERE table_schema = 'eventstore' AND table_name = 'domain_event_entry'"
                + " AND column_name = 'meta_data'");
        assertThat(metaData.get("data_type")).isEqualTo("bytea");

        Map<String, Object> index = jdbc.queryForMap("SELECT data_type, column_default, is_identity"
                + " FROM information_schema.columns WHERE table_schema = 'eventstore'"
                + " AND table_name = 'domain_event_entry' AND column_name = 'global_index'");
        assertThat(index.get("data_type")).isEqualTo("bigint");
        assertThat((String) index.get("column_default"))
                .contains("nextval")
                .contains("domain_event_entry_global_index_seq");
        assertThat(index.get("is_identity")).isEqualTo("NO");
        // a dedicated sequence, in the event store schema and owned by the column
        assertThat(jdbc.queryForObject("SELECT pg_get_serial_sequence('eventstore.domain_event_entry', 'global_index')",
                String.class)).isEqualTo("eventstore.domain_event_entry_global_index_seq");
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM information_schema.sequences"
                + " WHERE sequence_schema = 'eventstore' AND sequence_name = 'domain_event_entry_global_index_seq'",
                Long.class)).isEqualTo(1L);
    }
}
