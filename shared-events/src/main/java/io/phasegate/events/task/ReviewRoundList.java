package io.phasegate.events.task;

import java.util.List;

/** Query result: every review round of a task, oldest first. */
public record ReviewRoundList(List<ReviewRoundView> items) {
    public ReviewRoundList {
        items = items == null ? List.of() : List.copyOf(items);
    }
}
