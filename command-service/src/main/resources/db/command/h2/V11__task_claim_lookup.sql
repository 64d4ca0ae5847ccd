-- Command-side lookup of tasks for claim-next (SPEC §2.2): which tasks of an organisation are claimable, with their
-- priority, dependencies and required capabilities. Written by TaskClaimLookup, a subscribing event processor, in
-- the transaction that appends the events, so it never lags the event store. It only picks candidates: the Task
-- aggregate decides every claim.
CREATE TABLE task_claim_lookup (
    task_id               VARCHAR(128) PRIMARY KEY,
    org_id                VARCHAR(128) NOT NULL,
    title                 VARCHAR(500) NOT NULL,
    status                VARCHAR(16)  NOT NULL,
    phase                 VARCHAR(128) NOT NULL,
    workflow_id           VARCHAR(128) NOT NULL,
    workflow_version      INT          NOT NULL,
    priority              INT          NOT NULL,
    depends_on            TEXT         NOT NULL,
    required_capabilities TEXT         NOT NULL,
    created_at            TIMESTAMP(6) WITH TIME ZONE NOT NULL
);
CREATE INDEX ix_task_claim_lookup_claimable ON task_claim_lookup (org_id, status, priority, created_at);
