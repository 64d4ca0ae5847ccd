-- Provisioning read models (SPEC §3 "Provisioning status"): docks with credential version and rotation status
-- (dock projection), resources and their provisioning operations (resource projection). No credential material:
-- no value, ciphertext, nonce or data key id is ever stored here.

CREATE TABLE docks (
    dock_id                      VARCHAR(64)  NOT NULL PRIMARY KEY,
    org_id                       VARCHAR(128) NOT NULL,
    name                         VARCHAR(255) NOT NULL,
    provider                     VARCHAR(128) NOT NULL,
    settings                     TEXT         NOT NULL,
    status                       VARCHAR(16)  NOT NULL,
    credential_version           INT          NOT NULL,
    rotation_status              VARCHAR(16)  NOT NULL,
    rotation_id                  VARCHAR(64),
    candidate_version            INT,
    previous_version             INT,
    previous_valid_until         TIMESTAMPTZ,
    last_failure_rotation_id     VARCHAR(64),
    last_failure_version         INT,
    last_failure_reason          VARCHAR(1000),
    last_failure_at              TIMESTAMPTZ,
    registered_by                VARCHAR(255),
    registered_at                TIMESTAMPTZ NOT NULL,
    registered_position          BIGINT       NOT NULL,
    deleted_by                   VARCHAR(255),
    deleted_at                   TIMESTAMPTZ,
    last_decryption_version      INT,
    last_decryption_actor        VARCHAR(255),
    last_decryption_purpose      VARCHAR(255),
    last_decryption_operation_id VARCHAR(64),
    last_decrypted_at            TIMESTAMPTZ,
    decryption_count             BIGINT       NOT NULL,
    updated_at                   TIMESTAMPTZ NOT NULL,
    position                     BIGINT       NOT NULL
);
CREATE INDEX ix_docks_org ON docks (org_id, registered_position);

CREATE TABLE resources (
    resource_id          VARCHAR(64)  NOT NULL PRIMARY KEY,
    org_id               VARCHAR(128) NOT NULL,
    dock_id              VARCHAR(64)  NOT NULL,
    type                 VARCHAR(32)  NOT NULL,
    name                 VARCHAR(255) NOT NULL,
    spec                 TEXT         NOT NULL,
    provisioning_source  VARCHAR(16),
    provider_resource_id VARCHAR(255),
    state                VARCHAR(16)  NOT NULL,
    revision             BIGINT       NOT NULL,
    attributes           TEXT         NOT NULL,
    last_error           VARCHAR(1000),
    created_by           VARCHAR(255),
    created_at           TIMESTAMPTZ NOT NULL,
    created_position     BIGINT       NOT NULL,
    provisioned_at       TIMESTAMPTZ,
    updated_at           TIMESTAMPTZ NOT NULL,
    deprovisioned_at     TIMESTAMPTZ,
    operation_id         VARCHAR(64),
    position             BIGINT       NOT NULL
);
CREATE INDEX ix_resources_org ON resources (org_id, created_position);
CREATE INDEX ix_resources_org_dock ON resources (org_id, dock_id, created_position);
CREATE INDEX ix_resources_org_state ON resources (org_id, state, created_position);
CREATE INDEX ix_resources_org_name ON resources (org_id, name);

CREATE TABLE provisioning_operations (
    operation_id       VARCHAR(64)  NOT NULL PRIMARY KEY,
    resource_id        VARCHAR(64)  NOT NULL,
    org_id             VARCHAR(128) NOT NULL,
    dock_id            VARCHAR(64)  NOT NULL,
    kind               VARCHAR(16)  NOT NULL,
    status             VARCHAR(16)  NOT NULL,
    revision           BIGINT       NOT NULL,
    attempts           INT          NOT NULL,
    last_error         VARCHAR(1000),
    next_attempt_at    TIMESTAMPTZ,
    requested_by       VARCHAR(255),
    requested_at       TIMESTAMPTZ NOT NULL,
    requested_position BIGINT       NOT NULL,
    completed_at       TIMESTAMPTZ,
    position           BIGINT       NOT NULL
);
CREATE INDEX ix_provisioning_operations_org ON provisioning_operations (org_id, requested_position);
CREATE INDEX ix_provisioning_operations_resource ON provisioning_operations (resource_id, requested_position);
CREATE INDEX ix_provisioning_operations_status ON provisioning_operations (org_id, status, requested_position);
