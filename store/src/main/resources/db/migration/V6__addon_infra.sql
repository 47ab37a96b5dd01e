-- Policy executors and split runners are deployed by the control plane like a cluster's services: their
-- jobs, inventory and credentials are keyed '<kind>/<id>' (cluster ids never contain '/'), so the
-- credential is no longer always a registered cluster's.
ALTER TABLE cluster_credentials DROP CONSTRAINT IF EXISTS cluster_credentials_cluster_id_fkey;

-- Their URL is known once they are deployed.
ALTER TABLE addons ALTER COLUMN public_url DROP NOT NULL;
-- provisioning, ready, failed, deprovisioning; null: nothing deployed by the control plane
ALTER TABLE addons ADD COLUMN infra_status text;
