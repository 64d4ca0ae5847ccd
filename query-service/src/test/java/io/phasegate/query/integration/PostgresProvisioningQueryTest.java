package io.phasegate.query.integration;

import io.phasegate.platform.storage.testing.TestStorage;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@link AbstractProvisioningQueryTest} on PostgreSQL. */
class PostgresProvisioningQueryTest extends AbstractProvisioningQueryTest {

    private static String url;

    @Override
    String databaseUrl() {
        return url;
    }

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        url = TestStorage.freshPostgres(registry, "query");
    }
}
