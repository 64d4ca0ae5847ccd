-- Organisations, their roles and members (processing group organisations, OrganisationProjection). Besides
-- GET /orgs/{org_id}, query-service resolves every caller's effective permissions from these tables (ADR 0008):
-- an organisation with a row in organisations is registered, and then only its members have permissions.
-- A rebuild empties roles and members but keeps the organisations rows (re-written by the replay), so while it runs
-- registered organisations deny rather than fall back to token roles.
CREATE TABLE organisations (
    org_id     VARCHAR(128) NOT NULL PRIMARY KEY,
    name       VARCHAR(200) NOT NULL,
    created_by VARCHAR(255) NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    position   BIGINT       NOT NULL
);

CREATE TABLE organisation_roles (
    org_id       VARCHAR(128) NOT NULL,
    role         VARCHAR(64)  NOT NULL,
    provisioning VARCHAR(8)   NOT NULL,
    tasks        VARCHAR(8)   NOT NULL,
    audit        VARCHAR(8)   NOT NULL,
    org_admin    BOOLEAN      NOT NULL,
    position     BIGINT       NOT NULL,
    PRIMARY KEY (org_id, role)
);

-- roles: a JSON array of role names, sorted
CREATE TABLE organisation_members (
    org_id   VARCHAR(128) NOT NULL,
    subject  VARCHAR(255) NOT NULL,
    roles    TEXT         NOT NULL,
    position BIGINT       NOT NULL,
    PRIMARY KEY (org_id, subject)
);
