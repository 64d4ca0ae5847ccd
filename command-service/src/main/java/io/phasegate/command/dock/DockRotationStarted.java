package io.phasegate.command.dock;

/** What {@code RotateDockCredentialsCommand} answers: the rotation's id and the candidate's credential version. */
public record DockRotationStarted(String rotationId, int candidateVersion) {
}
