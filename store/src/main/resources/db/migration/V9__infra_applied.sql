-- What desired state each target's infrastructure was last made ready with (a fingerprint of the
-- rendered objects): creating it again is a no-op only while that is still what would be applied.
CREATE TABLE infra_applied (
    target      text PRIMARY KEY,
    fingerprint text        NOT NULL,
    applied_at  timestamptz NOT NULL
);
