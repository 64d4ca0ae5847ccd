-- The task, tool-call and workflow-metrics projections now record each event's exact global position (read from the
-- event store by the event's identifier) instead of the tracking token's highest index, which is too high for an
-- event that filled a gap (committed after a later one was read). Rows written before may carry such positions, and
-- a late event may have been skipped: rebuild the three projections from the start of the event stream (removing a
-- tracking token makes its processor start from the first event; the rows go with it).

-- workflow-metrics: the events counted into the metrics rows, by exact position. An event counts once, whatever the
-- order of arrival (a late event has a lower position than ones already counted, so a high-water mark cannot tell).
CREATE TABLE workflow_metrics_counted (
    position BIGINT NOT NULL PRIMARY KEY
);

DELETE FROM token_entry WHERE processor_name IN ('tasks', 'tool-calls', 'workflow-metrics');
DELETE FROM tool_approvals;
DELETE FROM task_reviews;
DELETE FROM task_review_rounds;
DELETE FROM task_capabilities;
DELETE FROM task_dependencies;
DELETE FROM tasks;
DELETE FROM tool_calls;
DELETE FROM workflow_gate_blocks;
DELETE FROM workflow_metrics;
DELETE FROM workflow_metrics_tasks;
