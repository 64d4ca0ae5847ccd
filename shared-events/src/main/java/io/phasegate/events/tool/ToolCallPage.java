package io.phasegate.events.tool;

import java.util.List;

/** Query result: one page of the tool-call log and the cursor of the next page ({@code null} on the last page). */
public record ToolCallPage(List<ToolCallView> items, String nextCursor) {
    public ToolCallPage {
        items = items == null ? List.of() : List.copyOf(items);
    }
}
