package io.phasegate.events.task;

/**
 * Why a transition was refused (strict) or warned about (permissive). {@code code} is a gate id or one of
 * {@code missing_artifact}, {@code invalid_artifact}, {@code unknown_artifact}, {@code unknown_transition},
 * {@code phase_mismatch}; {@code artifact} and {@code path} (a JSON pointer into the artifact) are set where the
 * problem is in a submitted artifact, otherwise null.
 */
public record TransitionBlocker(String code, String message, String artifact, String path) {

    public static TransitionBlocker of(String code, String message) {
        return new TransitionBlocker(code, message, null, null);
    }
}
