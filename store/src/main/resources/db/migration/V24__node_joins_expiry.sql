-- The watch loop expires tokens in flight by their expiry every few seconds: an index, not a scan of every join.
CREATE INDEX node_joins_expiry ON node_joins (expires_at) WHERE state = 'issued';
