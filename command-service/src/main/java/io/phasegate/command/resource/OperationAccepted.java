package io.phasegate.command.resource;

import io.phasegate.events.resource.ResourceState;

/**
 * What a resource command answers: the resource's state and revision after it, and the id of the provider operation
 * it started ({@code null} when none, as for an import).
 */
public record OperationAccepted(String resourceId, String operationId, ResourceState state, long revision) {
}
