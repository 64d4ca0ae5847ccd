package io.phasegate.command.workflow;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Workflow documents shared by the tests. */
public final class TestWorkflows {

    private TestWorkflows() {
    }

    /** The example of SPEC §2.1, verbatim ({@code src/test/resources/workflows/tdd-default.yaml}). */
    public static String specExample() {
        try (InputStream in = TestWorkflows.class.getResourceAsStream("/workflows/tdd-default.yaml")) {
            if (in == null) {
                throw new IllegalStateException("workflows/tdd-default.yaml is missing from the test resources");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
