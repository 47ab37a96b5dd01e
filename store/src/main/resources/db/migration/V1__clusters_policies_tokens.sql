-- Clusters: the document as sent (normalised), plus the columns the list filters need.
CREATE TABLE clusters (
    id               text PRIMARY KEY,
    owner            text        NOT NULL,
    region_id        text        NOT NULL,
    status           text        NOT NULL,
    requested_status text,
    document         jsonb       NOT NULL,
    tags             text[]      NOT NULL,
    gpu_models       text[]      NOT NULL,
    gpu_count        integer     NOT NULL,
    vcpus            integer     NOT NULL,
    memory_mb        bigint      NOT NULL,
    policy_action    text,
    policy_version   integer,
    reputation       double precision NOT NULL DEFAULT 0,
    version          bigint      NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL
);
CREATE INDEX clusters_owner ON clusters (owner);
CREATE INDEX clusters_region ON clusters (region_id);
CREATE INDEX clusters_status ON clusters (status);
CREATE INDEX clusters_tags ON clusters USING gin (tags);
CREATE INDEX clusters_gpu_models ON clusters USING gin (gpu_models);

-- Network pre-check policies: an append-only list of versions per action.
CREATE TABLE policies (
    action     text        NOT NULL,
    version    integer     NOT NULL,
    spec       jsonb       NOT NULL,
    created_at timestamptz NOT NULL,
    created_by text        NOT NULL,
    PRIMARY KEY (action, version)
);

-- API tokens: only a SHA-256 of the secret part is kept.
CREATE TABLE api_tokens (
    id          text PRIMARY KEY,
    name        text        NOT NULL UNIQUE,
    secret_hash bytea       NOT NULL,
    role        text        NOT NULL CHECK (role IN ('admin', 'owner')),
    created_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);

-- Who did what, written in the same transaction as the change it records.
CREATE TABLE audit_log (
    seq     bigserial PRIMARY KEY,
    at      timestamptz NOT NULL,
    actor   text        NOT NULL,
    action  text        NOT NULL,
    target  text        NOT NULL,
    detail  jsonb
);
