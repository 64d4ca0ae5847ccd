-- Idempotency-Key support (SPEC §4.1): the first response to a keyed command, replayed on retries.
CREATE TABLE idempotency_records (
    org_id         VARCHAR(128) NOT NULL,
    idem_key       VARCHAR(128) NOT NULL,
    fingerprint    VARCHAR(64)  NOT NULL,
    state          VARCHAR(16)  NOT NULL,
    status         INT,
    location       VARCHAR(512),
    body           CLOB,
    created_at     TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    PRIMARY KEY (org_id, idem_key)
);
CREATE INDEX ix_idempotency_created ON idempotency_records (created_at);
