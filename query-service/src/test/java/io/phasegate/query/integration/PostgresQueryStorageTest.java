package io.phasegate.query.integration;

import io.phasegate.testsupport.PostgresServer;
import java.util.UUID;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@link AbstractQueryStorageTest} on PostgreSQL. */
class PostgresQueryStorageTest extends AbstractQueryStorageTest {

    private static String url;

    @Override
    String databaseUrl() {
        return url;
    }

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        PostgresServer postgres = PostgresServer.shared();
        url = postgres.createDatabase("query_" + UUID.randomUUID().toString().replace("-", ""));
        storage(registry, "postgres", url, postgres.username(), postgres.password());
    }
}
