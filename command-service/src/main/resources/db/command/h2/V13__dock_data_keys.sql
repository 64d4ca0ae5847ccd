-- Per-dock data keys of the envelope encryption of dock credentials (SPEC §2.6, docs/adr/0009-dock-credentials.md).
-- Each key is wrapped (AES-256-GCM) by a versioned master key from configuration; the event store holds only
-- ciphertext under these keys. Deleting a dock overwrites its wrapped key with NULL in the transaction that appends
-- DockDeletedEvent (crypto-shredding); the row stays as a record of the destruction.
CREATE TABLE dock_data_keys (
    data_key_id        VARCHAR(64)  PRIMARY KEY,
    dock_id            VARCHAR(128) NOT NULL,
    org_id             VARCHAR(128) NOT NULL,
    wrapped_key        VARCHAR(512),
    master_key_version INT          NOT NULL,
    created_at         TIMESTAMP(6) WITH TIME ZONE NOT NULL,
    destroyed_at       TIMESTAMP(6) WITH TIME ZONE,
    CONSTRAINT uq_dock_data_keys_dock UNIQUE (dock_id),
    CONSTRAINT ck_dock_data_keys_destroyed CHECK ((wrapped_key IS NULL) = (destroyed_at IS NOT NULL))
);
CREATE INDEX ix_dock_data_keys_master_version ON dock_data_keys (master_key_version);
