package io.phasegate.query.org;

import io.phasegate.platform.storage.testing.TestStorage;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@link AbstractOrganisationQueryTest} on the embedded mode: an H2 database in server mode. */
class H2OrganisationQueryTest extends AbstractOrganisationQueryTest {

    @DynamicPropertySource
    static void h2(DynamicPropertyRegistry registry) {
        TestStorage.freshH2(registry, "query");
    }
}
