package io.phasegate.events.dock;

/**
 * Lists an organisation's docks, oldest registration first.
 *
 * @param status {@code active}, {@code deleted}, or {@code null} for both
 */
public record FindDocksQuery(String orgId, String status) {
}
