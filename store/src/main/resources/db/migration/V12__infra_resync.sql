-- When each ready target was last resynced (re-applied to repair drift on its cluster), or last asked
-- to be: a target is due again once this (or applied_at) is older than the resync interval.
ALTER TABLE infra_applied ADD COLUMN synced_at timestamptz;

-- A third job kind: resync (re-apply a ready target's desired state, repair what changed on the cluster).
ALTER TABLE infra_jobs DROP CONSTRAINT infra_jobs_kind_check;
ALTER TABLE infra_jobs ADD CONSTRAINT infra_jobs_kind_check CHECK (kind IN ('create', 'remove', 'resync'));
