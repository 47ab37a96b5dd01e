-- A removal requested as part of deleting the cluster: the registration goes when the removal is done.
ALTER TABLE infra_jobs ADD COLUMN delete_cluster boolean NOT NULL DEFAULT false;
