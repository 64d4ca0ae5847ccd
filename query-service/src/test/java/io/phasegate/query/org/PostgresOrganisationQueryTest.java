package io.phasegate.query.org;

import io.phasegate.platform.storage.testing.TestStorage;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@link AbstractOrganisationQueryTest} on PostgreSQL. */
class PostgresOrganisationQueryTest extends AbstractOrganisationQueryTest {

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        TestStorage.freshPostgres(registry, "query");
    }
}
