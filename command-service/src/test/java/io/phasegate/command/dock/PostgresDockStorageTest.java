package io.phasegate.command.dock;

import io.phasegate.platform.storage.testing.TestStorage;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@link AbstractDockStorageTest} on PostgreSQL. */
class PostgresDockStorageTest extends AbstractDockStorageTest {

    @DynamicPropertySource
    static void postgres(DynamicPropertyRegistry registry) {
        TestStorage.freshPostgres(registry, "command");
    }
}
