-- What each cluster's agents last reported, and the conditions the control plane derives from it.
CREATE TABLE cluster_observations (
    cluster_id          text PRIMARY KEY REFERENCES clusters (id) ON DELETE CASCADE,
    last_heartbeat_at   timestamptz NOT NULL,
    agent_version       text,
    inventory           jsonb       NOT NULL,
    inventory_hash      text        NOT NULL,
    -- InventoryVerified (true) or InventoryDrift (false, with the differences)
    verified            boolean     NOT NULL,
    drift               jsonb       NOT NULL,
    verified_since      timestamptz NOT NULL,
    -- Ready: 'True' while heartbeats are fresh, 'Unknown' once one is older than the grace
    ready               text        NOT NULL CHECK (ready IN ('True', 'Unknown')),
    ready_since         timestamptz NOT NULL,
    -- the history reputation is computed from
    heartbeats          bigint      NOT NULL DEFAULT 0,
    verified_heartbeats bigint      NOT NULL DEFAULT 0,
    observed_seconds    double precision NOT NULL DEFAULT 0,
    ready_seconds       double precision NOT NULL DEFAULT 0,
    accounted_at        timestamptz NOT NULL,
    metrics             jsonb,
    metrics_at          timestamptz
);
CREATE INDEX cluster_observations_fresh ON cluster_observations (last_heartbeat_at) WHERE ready = 'True';
