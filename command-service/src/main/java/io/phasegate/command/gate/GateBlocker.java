package io.phasegate.command.gate;

import java.util.Objects;

/**
 * A gate that did not pass.
 *
 * @param code    the gate id, e.g. {@code all_tests_pass} or a custom gate's id
 * @param message human-readable reason, e.g. {@code test_result reports 2 failing tests}
 */
public record GateBlocker(String code, String message) {
    public GateBlocker {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }
}
