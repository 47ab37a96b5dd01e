-- Pull mode: a cluster joins by an agent that dials out. One row per join: the bootstrap token (hashed), the
-- decision (double opt-in), and what the agent last reported. At most one live join per cluster.
CREATE TABLE cluster_joins (
    id               text PRIMARY KEY,
    cluster_id       text        NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    secret_hash      bytea       NOT NULL,
    state            text        NOT NULL CHECK (state IN
                         ('issued', 'requested', 'accepted', 'refused', 'expired', 'revoked', 'removing', 'removed')),
    accept_by_policy boolean     NOT NULL,
    expires_at       timestamptz NOT NULL,
    created_by       text        NOT NULL,
    created_at       timestamptz NOT NULL,
    requested_at     timestamptz,
    cluster_uid      text,
    credential_name  text,
    decided_by       text,
    decided_at       timestamptz,
    reason           text,
    applied_revision text,
    reported_at      timestamptz,
    report           jsonb,
    -- what the cluster's four services are given (their token for the control plane, their serving certificate
    -- and key), sealed: served to the pull agent in the desired state, never kept in clear
    agents_key_id    text,
    agents_sealed    bytea
);
CREATE UNIQUE INDEX cluster_joins_one_live ON cluster_joins (cluster_id)
    WHERE state IN ('issued', 'requested', 'accepted', 'removing');

ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_role_check;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_role_check CHECK (role IN ('admin', 'owner', 'agent', 'pull'));
