package io.phasegate.command.storage;

import io.phasegate.platform.storage.testing.TestStorage;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@link AbstractCommandReliabilityTest} on the embedded mode: an H2 database in server mode. */
class H2CommandReliabilityTest extends AbstractCommandReliabilityTest {

    @DynamicPropertySource
    static void h2(DynamicPropertyRegistry registry) {
        TestStorage.freshH2(registry, "command");
    }
}
