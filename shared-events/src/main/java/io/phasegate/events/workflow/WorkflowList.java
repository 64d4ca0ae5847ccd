package io.phasegate.events.workflow;

import java.util.List;

/** Query result: the latest version of each workflow of an organisation. */
public record WorkflowList(List<WorkflowView> items) {
}
