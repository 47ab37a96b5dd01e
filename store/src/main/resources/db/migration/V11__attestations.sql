-- What the control plane read from a cluster's API itself, compared with what its agents reported.
CREATE TABLE cluster_attestations (
    cluster_id  text PRIMARY KEY REFERENCES clusters (id) ON DELETE CASCADE,
    attested    boolean     NOT NULL,
    diff        jsonb       NOT NULL,
    checked_at  timestamptz NOT NULL,
    since       timestamptz NOT NULL,
    checks      bigint      NOT NULL DEFAULT 1,
    mismatches  bigint      NOT NULL DEFAULT 0
);
