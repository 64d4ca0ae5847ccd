package io.phasegate.command.gate;

import java.util.Objects;

/**
 * Something wrong with the artifacts submitted for a transition.
 *
 * @param code     {@link #MISSING_ARTIFACT}, {@link #INVALID_ARTIFACT}, {@link #UNKNOWN_ARTIFACT} or
 *                 {@link #INVALID_ARTIFACT_SCHEMA}
 * @param artifact the artifact's name, e.g. {@code test_result}
 * @param path     JSON Pointer into the artifact document ({@code ""} is the whole document), e.g. {@code /passed}
 * @param message  human-readable explanation, e.g. {@code must have a minimum value of 0}
 */
public record ArtifactProblem(String code, String artifact, String path, String message) {

    /** An artifact the transition requires was not submitted. */
    public static final String MISSING_ARTIFACT = "missing_artifact";
    /** A submitted artifact does not match its schema. */
    public static final String INVALID_ARTIFACT = "invalid_artifact";
    /** A submitted artifact is neither built in nor declared by the workflow, so nothing says what it must hold. */
    public static final String UNKNOWN_ARTIFACT = "unknown_artifact";
    /** The workflow's own schema for the artifact cannot be used (normally refused when the workflow is published). */
    public static final String INVALID_ARTIFACT_SCHEMA = "invalid_artifact_schema";

    public ArtifactProblem {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(artifact, "artifact");
        path = path == null ? "" : path;
        Objects.requireNonNull(message, "message");
    }

    /** One line for logs and error listings, e.g. {@code test_result/passed: must have a minimum value of 0}. */
    public String describe() {
        return artifact + path + ": " + message;
    }
}
