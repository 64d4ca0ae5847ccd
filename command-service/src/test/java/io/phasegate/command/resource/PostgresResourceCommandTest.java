package io.phasegate.command.resource;

import io.phasegate.platform.storage.testing.TestStorage;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@link AbstractResourceCommandTest} on PostgreSQL. */
class PostgresResourceCommandTest extends AbstractResourceCommandTest {

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        TestStorage.freshPostgres(registry, "command");
    }
}
