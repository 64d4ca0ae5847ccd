-- Agent workflow read models: transitions, completion, cancellation, reviews, tool approvals (task projection),
-- the tool-call log (tool-calls projection) and the workflow metrics (workflow-metrics projection).

-- tasks: phase changes, completion and cancellation, the blockers of the last rejected transition (JSON array,
-- null when none). token_generation (V11) is kept up to date by claims, transitions and refreshes.
ALTER TABLE tasks ADD COLUMN completed_at TIMESTAMPTZ;
ALTER TABLE tasks ADD COLUMN cancelled_at TIMESTAMPTZ;
ALTER TABLE tasks ADD COLUMN blockers TEXT;
CREATE INDEX ix_tasks_claimable ON tasks (org_id, status, priority, created_position);
CREATE INDEX ix_tasks_completed ON tasks (org_id, project_id, status, completed_at);

-- depends_on and required_capabilities of tasks, one row each, for the claimable-task query and dependency status
CREATE TABLE task_dependencies (
    task_id       VARCHAR(64)  NOT NULL,
    depends_on_id VARCHAR(64)  NOT NULL,
    org_id        VARCHAR(128) NOT NULL,
    ordinal       INT          NOT NULL,
    PRIMARY KEY (task_id, depends_on_id)
);
CREATE INDEX ix_task_dependencies_on ON task_dependencies (depends_on_id);

CREATE TABLE task_capabilities (
    task_id    VARCHAR(64)  NOT NULL,
    capability VARCHAR(255) NOT NULL,
    PRIMARY KEY (task_id, capability)
);

-- review rounds requested on entering a phase (on_enter.request_reviews) and the reviews submitted
CREATE TABLE task_review_rounds (
    task_id         VARCHAR(64)  NOT NULL,
    round           INT          NOT NULL,
    org_id          VARCHAR(128) NOT NULL,
    phase           VARCHAR(64)  NOT NULL,
    requested_count INT          NOT NULL,
    role            VARCHAR(128),
    requested_at    TIMESTAMPTZ NOT NULL,
    position        BIGINT       NOT NULL,
    PRIMARY KEY (task_id, round)
);

CREATE TABLE task_reviews (
    review_id    VARCHAR(64)  NOT NULL PRIMARY KEY,
    task_id      VARCHAR(64)  NOT NULL,
    org_id       VARCHAR(128) NOT NULL,
    round        INT          NOT NULL,
    phase        VARCHAR(64)  NOT NULL,
    reviewer_id  VARCHAR(255) NOT NULL,
    verdict      VARCHAR(32)  NOT NULL,
    comments     TEXT,
    submitted_at TIMESTAMPTZ NOT NULL,
    position     BIGINT       NOT NULL
);
CREATE INDEX ix_task_reviews_task ON task_reviews (task_id, round, position);

-- human approvals of approval_required tool calls: pending, granted or denied
CREATE TABLE tool_approvals (
    approval_id   VARCHAR(64)  NOT NULL PRIMARY KEY,
    task_id       VARCHAR(64)  NOT NULL,
    org_id        VARCHAR(128) NOT NULL,
    agent_id      VARCHAR(255) NOT NULL,
    phase         VARCHAR(64)  NOT NULL,
    call_id       VARCHAR(64),
    tool_name     VARCHAR(255) NOT NULL,
    args_digest   VARCHAR(128),
    args_summary  TEXT         NOT NULL,
    status        VARCHAR(16)  NOT NULL,
    requested_at  TIMESTAMPTZ NOT NULL,
    decided_by    VARCHAR(255),
    comment       TEXT,
    decided_at    TIMESTAMPTZ,
    position      BIGINT       NOT NULL
);
CREATE INDEX ix_tool_approvals_task ON tool_approvals (task_id, position);

-- the tool-call log (processing group tool-calls)
CREATE TABLE tool_calls (
    call_id             VARCHAR(64)  NOT NULL PRIMARY KEY,
    task_id             VARCHAR(64)  NOT NULL,
    org_id              VARCHAR(128) NOT NULL,
    agent_id            VARCHAR(255) NOT NULL,
    workflow_id         VARCHAR(64)  NOT NULL,
    workflow_version    INT          NOT NULL,
    phase               VARCHAR(64)  NOT NULL,
    tool_name           VARCHAR(255) NOT NULL,
    args_digest         VARCHAR(128),
    args_summary        TEXT         NOT NULL,
    decision            VARCHAR(32)  NOT NULL,
    code                VARCHAR(64),
    reason              TEXT,
    approval_id         VARCHAR(64),
    warnings            TEXT         NOT NULL,
    outcome_status      VARCHAR(32),
    outcome_summary     TEXT,
    outcome_source      VARCHAR(32),
    outcome_reported_at TIMESTAMPTZ,
    outcome_position    BIGINT,
    decided_at          TIMESTAMPTZ NOT NULL,
    position            BIGINT       NOT NULL
);
CREATE UNIQUE INDEX ux_tool_calls_org_position ON tool_calls (org_id, position);
CREATE INDEX ix_tool_calls_task ON tool_calls (org_id, task_id, position);
CREATE INDEX ix_tool_calls_agent ON tool_calls (org_id, agent_id, position);

-- workflow metrics (processing group workflow-metrics). position: the last event counted into the row, so a
-- redelivered event (position not above it) is not counted twice. Events are sequenced per organisation.
CREATE TABLE workflow_metrics (
    org_id                VARCHAR(128) NOT NULL,
    workflow_id           VARCHAR(64)  NOT NULL,
    transitions_attempted BIGINT       NOT NULL,
    transitions_rejected  BIGINT       NOT NULL,
    tool_calls            BIGINT       NOT NULL,
    tool_calls_denied     BIGINT       NOT NULL,
    tool_calls_warned     BIGINT       NOT NULL,
    tool_violations       BIGINT       NOT NULL,
    approvals_requested   BIGINT       NOT NULL,
    position              BIGINT       NOT NULL,
    PRIMARY KEY (org_id, workflow_id)
);

CREATE TABLE workflow_gate_blocks (
    org_id      VARCHAR(128) NOT NULL,
    workflow_id VARCHAR(64)  NOT NULL,
    code        VARCHAR(128) NOT NULL,
    blocks      BIGINT       NOT NULL,
    PRIMARY KEY (org_id, workflow_id, code)
);

-- which workflow a task follows (approval events do not name it)
CREATE TABLE workflow_metrics_tasks (
    task_id     VARCHAR(64)  NOT NULL PRIMARY KEY,
    org_id      VARCHAR(128) NOT NULL,
    workflow_id VARCHAR(64)  NOT NULL
);

-- The task projection now handles events it skipped before (transitions, completion, reviews, approvals) and
-- fills the new tables from TaskCreatedEvent: rebuild it from the start of the event stream. Removing its tracking
-- token makes its processor start from the first event; its rows go with it.
DELETE FROM token_entry WHERE processor_name = 'tasks';
DELETE FROM tasks;
