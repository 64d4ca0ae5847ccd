package io.phasegate.events.history;

import java.time.Instant;

/**
 * Finds a task of an organisation as it was after the last of its events at or before a global position
 * ({@code asOfPosition}) or a time ({@code asOfTime}); exactly one of the two is given. Another organisation's task,
 * and a task that did not exist yet at that point, is not found.
 */
public record FindTaskAsOfQuery(String orgId, String taskId, Long asOfPosition, Instant asOfTime) {
}
