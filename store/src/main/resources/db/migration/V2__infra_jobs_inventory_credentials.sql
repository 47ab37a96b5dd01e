-- Agents get tokens of their own, bound to one cluster.
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_role_check;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_role_check CHECK (role IN ('admin', 'owner', 'agent'));
ALTER TABLE api_tokens ADD COLUMN cluster_id text;

-- The control plane's least-privilege credential for a member cluster, sealed (AES-GCM); never the
-- owner's admin kubeconfig.
CREATE TABLE cluster_credentials (
    cluster_id text PRIMARY KEY REFERENCES clusters (id),
    key_id     text        NOT NULL,
    sealed     bytea       NOT NULL,
    created_at timestamptz NOT NULL
);

-- Infra jobs: persisted, resumable, one active job per cluster.
CREATE TABLE infra_jobs (
    id               text PRIMARY KEY,
    cluster_id       text        NOT NULL,
    kind             text        NOT NULL CHECK (kind IN ('create', 'remove')),
    state            text        NOT NULL,
    reason           text,
    message          text,
    progress_done    integer     NOT NULL DEFAULT 0,
    progress_total   integer     NOT NULL DEFAULT 0,
    attempts         integer     NOT NULL DEFAULT 0,
    -- the owner's kubeconfig, sealed, kept only until the job no longer needs it
    admin_key_id     text,
    admin_sealed     bytea,
    receipt          jsonb,
    requested_by     text        NOT NULL,
    lease_owner      text,
    lease_until      timestamptz,
    next_run_at      timestamptz NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    finished_at      timestamptz
);
CREATE UNIQUE INDEX infra_jobs_one_active ON infra_jobs (cluster_id) WHERE finished_at IS NULL;
CREATE INDEX infra_jobs_due ON infra_jobs (next_run_at) WHERE finished_at IS NULL;

-- Every object the control plane created on a member cluster: what removal deletes.
CREATE TABLE infra_inventory (
    cluster_id  text        NOT NULL,
    seq         integer     NOT NULL,
    api_version text        NOT NULL,
    kind        text        NOT NULL,
    namespace   text        NOT NULL DEFAULT '',
    name        text        NOT NULL,
    uid         text,
    recorded_at timestamptz NOT NULL,
    PRIMARY KEY (cluster_id, api_version, kind, namespace, name)
);
