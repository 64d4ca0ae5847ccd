package io.phasegate.events.tool;

import java.time.Instant;

/** The outcome of an allowed call: {@code status} {@code succeeded} or {@code failed}, from {@code source} {@code agent} or {@code executor}. */
public record ToolCallOutcomeView(String status, String summary, String source, Instant reportedAt) {
}
