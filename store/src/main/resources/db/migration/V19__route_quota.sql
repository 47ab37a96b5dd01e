-- gateway routes an owner may have on one cluster (each is a row here and a Mapping on the member cluster)
ALTER TABLE owner_quotas ADD COLUMN routes_per_cluster integer CHECK (routes_per_cluster >= 0);
UPDATE owner_quotas SET routes_per_cluster = 200 WHERE owner = '*';
