package io.phasegate.command.org;

import io.phasegate.platform.storage.testing.TestStorage;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@link AbstractOrganisationCommandTest} on PostgreSQL. */
class PostgresOrganisationCommandTest extends AbstractOrganisationCommandTest {

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        TestStorage.freshPostgres(registry, "command");
    }

    @Override
    String key(String column) {
        return column;
    }
}
