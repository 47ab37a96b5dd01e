-- A cluster whose infrastructure is ready but whose agents have not reported yet (health 'unknown') is
-- degraded, not live: live means Ready and verified (the README's own definition), and nothing is verified
-- before the first heartbeat. It was live until then and turned degraded a grace period later; now it
-- starts degraded and turns live when its agents report.
DROP INDEX clusters_status;
ALTER TABLE clusters DROP COLUMN status;
ALTER TABLE clusters ADD COLUMN status text GENERATED ALWAYS AS (
    CASE infra_phase
        WHEN 'none' THEN 'registered'
        WHEN 'ready' THEN CASE health WHEN 'healthy' THEN 'live' ELSE 'degraded' END
        ELSE infra_phase
    END) STORED;
CREATE INDEX clusters_status ON clusters (status);
