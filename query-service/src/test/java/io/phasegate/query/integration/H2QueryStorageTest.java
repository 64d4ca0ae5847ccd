package io.phasegate.query.integration;

import io.phasegate.testsupport.H2TestServer;
import java.util.UUID;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@link AbstractQueryStorageTest} on the embedded mode: an H2 database in server mode. */
class H2QueryStorageTest extends AbstractQueryStorageTest {

    private static String url;

    @Override
    String databaseUrl() {
        return url;
    }

    @DynamicPropertySource
    static void h2(DynamicPropertyRegistry registry) {
        H2TestServer h2 = H2TestServer.shared();
        url = h2.jdbcUrl("query_" + UUID.randomUUID().toString().replace("-", ""));
        storage(registry, "embedded", url, h2.username(), h2.password());
    }
}
