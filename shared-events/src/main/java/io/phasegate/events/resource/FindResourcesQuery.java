package io.phasegate.events.resource;

/**
 * Lists an organisation's resources, newest first, with optional filters ({@code null}: no filter).
 *
 * @param type       a {@link ResourceType} wire value
 * @param state      a {@link ResourceState} wire value
 * @param namePrefix resources whose name starts with it (case-sensitive)
 * @param after      cursor: the {@code next_cursor} of the previous page, or {@code null}
 * @param limit      page size (1..200)
 */
public record FindResourcesQuery(String orgId, String dockId, String type, String state, String namePrefix,
                                 String after, int limit) {
}
