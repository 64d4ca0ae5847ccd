package io.phasegate.query.metrics;

import io.phasegate.events.task.TaskCreatedEvent;
import io.phasegate.events.task.TaskTransitionRejectedEvent;
import io.phasegate.events.task.TaskTransitionedEvent;
import io.phasegate.events.tool.ToolApprovalRequestedEvent;
import io.phasegate.events.tool.ToolCallDecidedEvent;
import io.phasegate.events.workflow.WorkflowPublishedEvent;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.async.SequencingPolicy;
import org.axonframework.eventhandling.async.SequentialPerAggregatePolicy;

/**
 * Sequences the events of {@link WorkflowMetricsProjection} per organisation, so that all events counted into one
 * metrics row are handled in global order by one segment (the rows' position guard relies on it). Events the
 * projection does not count keep the default per-aggregate sequencing.
 */
public final class MetricsSequencingPolicy implements SequencingPolicy<EventMessage<?>> {

    private static final SequentialPerAggregatePolicy DEFAULT = SequentialPerAggregatePolicy.instance();

    @Override
    public Object getSequenceIdentifierFor(EventMessage<?> event) {
        Object payload = event.getPayload();
        String orgId = null;
        if (payload instanceof WorkflowPublishedEvent e) {
            orgId = e.orgId();
        } else if (payload instanceof TaskCreatedEvent e) {
            orgId = e.orgId();
        } else if (payload instanceof TaskTransitionedEvent e) {
            orgId = e.orgId();
        } else if (payload instanceof TaskTransitionRejectedEvent e) {
            orgId = e.orgId();
        } else if (payload instanceof ToolCallDecidedEvent e) {
            orgId = e.orgId();
        } else if (payload instanceof ToolApprovalRequestedEvent e) {
            orgId = e.orgId();
        }
        return orgId != null ? "org:" + orgId : DEFAULT.getSequenceIdentifierFor(event);
    }
}
