package io.phasegate.events.resource;

import java.util.List;

/** Query result: one page of resources and the cursor of the next page ({@code null} on the last page). */
public record ResourcePage(List<ResourceView> items, String nextCursor) {

    public ResourcePage {
        items = items == null ? List.of() : List.copyOf(items);
    }
}
