-- The silence sweep's second query looks, once a second, for clusters whose agents' report is not Ready
-- (it was already stale when their infrastructure came back). Those are few once clusters heartbeat, but
-- without an index the query scanned every ready cluster. The sweep's first query has its index in V7.
CREATE INDEX cluster_observations_not_ready ON cluster_observations (last_heartbeat_at) WHERE ready = 'Unknown';
