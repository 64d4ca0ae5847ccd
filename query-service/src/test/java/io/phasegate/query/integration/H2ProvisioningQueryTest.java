package io.phasegate.query.integration;

import io.phasegate.platform.storage.testing.TestStorage;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@link AbstractProvisioningQueryTest} on the embedded mode: an H2 database in server mode. */
class H2ProvisioningQueryTest extends AbstractProvisioningQueryTest {

    private static String url;

    @Override
    String databaseUrl() {
        return url;
    }

    @DynamicPropertySource
    static void h2(DynamicPropertyRegistry registry) {
        url = TestStorage.freshH2(registry, "query");
    }
}
