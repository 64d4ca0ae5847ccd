package io.phasegate.query.integration;

import io.phasegate.platform.storage.testing.TestStorage;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@link AbstractProjectionAdminTest} on PostgreSQL. */
class PostgresProjectionAdminTest extends AbstractProjectionAdminTest {

    private static String url;

    @Override
    String databaseUrl() {
        return url;
    }

    @DynamicPropertySource
    static void storage(DynamicPropertyRegistry registry) {
        url = TestStorage.freshPostgres(registry, "query");
    }
}
