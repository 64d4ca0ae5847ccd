package io.phasegate.events.task;

import java.util.List;

/** Query result: one page of tasks and the cursor of the next page ({@code null} on the last page). */
public record TaskPage(List<TaskView> items, String nextCursor) {
}
