package io.phasegate.platform.storage;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code phasegate.storage.gaps.*}: how long the JDBC event store's gap-aware tracking tokens wait for a gap to be
 * filled (modes {@code embedded} and {@code postgres}; docs/adr/0003-storage-modes-and-schemas.md, "Gaps").
 *
 * <p>A gap is a global index whose insert has not committed (yet): another transaction holds it, and its event
 * will appear when that transaction commits — or never, when it rolls back. A processor keeps gaps in its token and
 * re-reads them; a gap it gives up on too early is an event its projection never sees. So both limits must exceed
 * the longest time a transaction can hold an appended event uncommitted (a provisioning process manager's
 * transaction includes the provider call, up to {@code PHASEGATE_PROVISIONING_CALL_TIMEOUT}, 10 s, and several
 * retries of a busy connection pool, 10 s each).
 *
 * @param timeoutMs         a gap older than this (judged by the timestamps of the events around it) is given up
 *                          when the token is cleaned; Axon's default, 60 s
 * @param maxOffset         a gap more than this many indexes behind the newest is given up at once: 100,000, ten
 *                          times Axon's default, because at 1,000 appends/s Axon's 10,000 last only 10 s
 * @param cleaningThreshold the token is cleaned (timed-out gaps removed) when it holds more gaps than this; Axon's
 *                          default, 250
 */
@ConfigurationProperties("phasegate.storage.gaps")
public record EventGapProperties(Integer timeoutMs, Integer maxOffset, Integer cleaningThreshold) {

    public EventGapProperties {
        timeoutMs = timeoutMs == null ? 60_000 : timeoutMs;
        maxOffset = maxOffset == null ? 100_000 : maxOffset;
        cleaningThreshold = cleaningThreshold == null ? 250 : cleaningThreshold;
        if (timeoutMs < 1 || maxOffset < 1 || cleaningThreshold < 1) {
            throw new IllegalArgumentException("phasegate.storage.gaps.* must be positive");
        }
    }
}
