package io.phasegate.command.storage;

import io.phasegate.platform.storage.testing.TestStorage;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@link AbstractCommandReliabilityTest} on PostgreSQL. */
class PostgresCommandReliabilityTest extends AbstractCommandReliabilityTest {

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        TestStorage.freshPostgres(registry, "command");
    }
}
