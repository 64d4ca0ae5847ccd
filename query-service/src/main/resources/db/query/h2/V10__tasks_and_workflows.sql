-- Read models of the first slice. Versions 1-9 are Axon's infrastructure tables (platform module).
CREATE TABLE tasks (
    task_id               VARCHAR(64)  NOT NULL PRIMARY KEY,
    org_id                VARCHAR(128) NOT NULL,
    project_id            VARCHAR(128) NOT NULL,
    title                 VARCHAR(500) NOT NULL,
    description           CLOB,
    status                VARCHAR(32)  NOT NULL,
    phase                 VARCHAR(64)  NOT NULL,
    workflow_id           VARCHAR(64)  NOT NULL,
    workflow_version      INT          NOT NULL,
    depends_on            CLOB         NOT NULL,
    required_capabilities CLOB         NOT NULL,
    priority              INT          NOT NULL,
    created_by            VARCHAR(255) NOT NULL,
    created_at            TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    updated_at            TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    created_position      BIGINT       NOT NULL,
    position              BIGINT       NOT NULL
);
CREATE INDEX ix_tasks_org_created ON tasks (org_id, created_position);

CREATE TABLE workflows (
    org_id       VARCHAR(128) NOT NULL,
    workflow_id  VARCHAR(64)  NOT NULL,
    version      INT          NOT NULL,
    enforcement  VARCHAR(16)  NOT NULL,
    definition   CLOB         NOT NULL,
    published_by VARCHAR(255) NOT NULL,
    published_at TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    position     BIGINT       NOT NULL,
    PRIMARY KEY (org_id, workflow_id, version)
);
