package io.phasegate.command.dock;

import io.phasegate.platform.storage.testing.TestStorage;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@link AbstractDockStorageTest} on an H2 database in server mode. */
class H2DockStorageTest extends AbstractDockStorageTest {

    @DynamicPropertySource
    static void h2(DynamicPropertyRegistry registry) {
        TestStorage.freshH2(registry, "command");
    }
}
