-- External node joins: one row per kubeadm bootstrap token issued for a node the add_node policy admitted. The
-- token itself is kept only sealed (it must reach the cluster: created there by the control plane in push mode, by
-- the pull agent in pull mode); the Secret made of it is deleted once the node has joined, or at expiry.
CREATE TABLE node_joins (
    id           text PRIMARY KEY,
    cluster_id   text        NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    node_id      text        NOT NULL,
    node         jsonb       NOT NULL,
    token_id     text        NOT NULL,
    token_key_id text        NOT NULL,
    token_sealed bytea       NOT NULL,
    -- the add_node policy version that admitted the node (null: none in force); the document it joins records it
    policy_version integer,
    state        text        NOT NULL CHECK (state IN ('issued', 'joined', 'expired', 'revoked', 'left')),
    expires_at   timestamptz NOT NULL,
    created_by   text        NOT NULL,
    created_at   timestamptz NOT NULL,
    ended_at     timestamptz,
    note         text,
    -- the bootstrap Secret on the member cluster: to be made, made (its uid and resourceVersion: deleted only as made),
    -- or deleted
    secret_state text        NOT NULL DEFAULT 'pending' CHECK (secret_state IN ('pending', 'created', 'deleted')),
    secret_uid   text,
    secret_version text
);
-- one token in flight, or one joined node, per node id and cluster
CREATE UNIQUE INDEX node_joins_one_open ON node_joins (cluster_id, node_id) WHERE state IN ('issued', 'joined');
CREATE INDEX node_joins_work ON node_joins (cluster_id) WHERE state IN ('issued', 'joined') OR secret_state = 'created';
