package io.phasegate.command.org;

import io.phasegate.platform.storage.testing.TestStorage;
import java.util.Locale;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** {@link AbstractOrganisationCommandTest} on the embedded mode: an H2 database in server mode. */
class H2OrganisationCommandTest extends AbstractOrganisationCommandTest {

    @DynamicPropertySource
    static void h2(DynamicPropertyRegistry registry) {
        TestStorage.freshH2(registry, "command");
    }

    @Override
    String key(String column) {
        return column.toUpperCase(Locale.ROOT);
    }
}
