package io.phasegate.events.dock;

import java.util.List;

/** Query result: an organisation's docks. */
public record DockList(List<DockView> items) {

    public DockList {
        items = items == null ? List.of() : List.copyOf(items);
    }
}
