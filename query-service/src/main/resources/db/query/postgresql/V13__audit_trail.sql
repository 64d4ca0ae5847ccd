-- The audit trail (processing group audit): one record per event, hash-chained per organisation.
-- hash = SHA-256 over the canonical form of the record (io.phasegate.query.audit.AuditHashes), prev_hash included;
-- the first record of an organisation has prev_hash = 64 zeros and prev_position NULL.
CREATE TABLE audit_records (
    position           BIGINT        NOT NULL PRIMARY KEY,
    org_id             VARCHAR(128)  NOT NULL,
    chain_seq          BIGINT        NOT NULL,
    event_id           VARCHAR(255)  NOT NULL,
    event_type         VARCHAR(255)  NOT NULL,
    aggregate_type     VARCHAR(255),
    aggregate_id       VARCHAR(255),
    aggregate_sequence BIGINT,
    occurred_at        TIMESTAMPTZ NOT NULL,
    actor              VARCHAR(255),
    correlation_id     VARCHAR(255),
    causation_id       VARCHAR(255),
    description        VARCHAR(1000) NOT NULL,
    summary            TEXT          NOT NULL,
    prev_position      BIGINT,
    prev_hash          VARCHAR(64)   NOT NULL,
    hash               VARCHAR(64)   NOT NULL
);
CREATE UNIQUE INDEX ux_audit_records_chain ON audit_records (org_id, chain_seq);
CREATE UNIQUE INDEX ux_audit_records_event ON audit_records (event_id);
CREATE INDEX ix_audit_records_org_position ON audit_records (org_id, position);
CREATE INDEX ix_audit_records_actor ON audit_records (org_id, actor, position);
CREATE INDEX ix_audit_records_aggregate ON audit_records (org_id, aggregate_id, position);
CREATE INDEX ix_audit_records_type ON audit_records (org_id, event_type, position);
CREATE INDEX ix_audit_records_time ON audit_records (org_id, occurred_at, position);
CREATE INDEX ix_audit_records_stream ON audit_records (org_id, aggregate_type, chain_seq);

-- The head of each organisation's chain, written in the same transaction as the record: the next record chains to
-- it, and verification compares it with the last record (a deleted newest record is detected).
CREATE TABLE audit_chain_heads (
    org_id        VARCHAR(128) NOT NULL PRIMARY KEY,
    last_seq      BIGINT       NOT NULL,
    last_position BIGINT       NOT NULL,
    last_hash     VARCHAR(64)  NOT NULL
);
