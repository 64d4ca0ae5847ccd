-- Command-side lookup of registered organisations, their roles and members (SPEC §2.5, ADR 0008): every permission
-- check of command-service resolves the caller's effective permissions from it. Written by OrganisationAccessTable, a
-- subscribing event processor, in the transaction that appends the events, so it never lags the event store.
-- An organisation without a row here is not registered: its callers keep their token's roles (default matrix).
CREATE TABLE organisation_access (
    org_id VARCHAR(128) PRIMARY KEY
);

CREATE TABLE organisation_access_roles (
    org_id       VARCHAR(128) NOT NULL,
    role         VARCHAR(64)  NOT NULL,
    provisioning VARCHAR(8)   NOT NULL,
    tasks        VARCHAR(8)   NOT NULL,
    audit        VARCHAR(8)   NOT NULL,
    org_admin    BOOLEAN      NOT NULL,
    PRIMARY KEY (org_id, role)
);

-- roles: a JSON array of role names, sorted
CREATE TABLE organisation_access_members (
    org_id  VARCHAR(128) NOT NULL,
    subject VARCHAR(255) NOT NULL,
    roles   TEXT         NOT NULL,
    PRIMARY KEY (org_id, subject)
);
