package io.phasegate.events.resource;

import java.time.Instant;

/**
 * Finds a resource of an organisation as it was after the last of its events at or before a global position
 * ({@code asOfPosition}) or a time ({@code asOfTime}); exactly one of the two is given. Another organisation's
 * resource, and one that did not exist yet at that point, is not found.
 */
public record FindResourceAsOfQuery(String orgId, String resourceId, Long asOfPosition, Instant asOfTime) {
}
