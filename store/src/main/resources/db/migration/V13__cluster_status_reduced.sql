-- A cluster's status has one writer: this column's definition. Writers set its inputs instead:
--   infra_phase (the infrastructure jobs: none, provisioning, ready, failed, deprovisioning) and
--   health (heartbeats and the silence sweep: unknown until a report, healthy, unhealthy).
ALTER TABLE clusters ADD COLUMN infra_phase text NOT NULL DEFAULT 'none'
    CHECK (infra_phase IN ('none', 'provisioning', 'ready', 'failed', 'deprovisioning'));
ALTER TABLE clusters ADD COLUMN health text NOT NULL DEFAULT 'unknown'
    CHECK (health IN ('unknown', 'healthy', 'unhealthy'));
UPDATE clusters SET
    infra_phase = CASE status WHEN 'provisioning' THEN 'provisioning' WHEN 'live' THEN 'ready'
        WHEN 'degraded' THEN 'ready' WHEN 'failed' THEN 'failed' WHEN 'deprovisioning' THEN 'deprovisioning'
        ELSE 'none' END,
    health = CASE status WHEN 'degraded' THEN 'unhealthy' WHEN 'live' THEN 'healthy' ELSE 'unknown' END;
DROP INDEX clusters_status;
ALTER TABLE clusters DROP COLUMN status;
ALTER TABLE clusters ADD COLUMN status text GENERATED ALWAYS AS (
    CASE infra_phase
        WHEN 'none' THEN 'registered'
        WHEN 'ready' THEN CASE health WHEN 'unhealthy' THEN 'degraded' ELSE 'live' END
        ELSE infra_phase
    END) STORED;
CREATE INDEX clusters_status ON clusters (status);
