package io.phasegate.events.tool;

import java.util.List;

/** Query result: tool approvals of a task, oldest first. */
public record ToolApprovalList(List<ToolApprovalView> items) {
    public ToolApprovalList {
        items = items == null ? List.of() : List.copyOf(items);
    }
}
