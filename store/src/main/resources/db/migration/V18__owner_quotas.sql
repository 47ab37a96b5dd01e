-- What each owner may hold and do at once, set by the network admin. The row '*' is the network's default
-- (no owner can be named '*'); an owner's row overrides the fields it sets (null: the default's).
CREATE TABLE owner_quotas (
    owner               text        PRIMARY KEY,
    clusters            integer     CHECK (clusters >= 0),
    addons              integer     CHECK (addons >= 0),
    jobs                integer     CHECK (jobs >= 0),
    commands_per_minute integer     CHECK (commands_per_minute >= 0),
    updated_at          timestamptz NOT NULL,
    updated_by          text        NOT NULL
);
INSERT INTO owner_quotas (owner, clusters, addons, jobs, commands_per_minute, updated_at, updated_by)
VALUES ('*', 100, 50, 4, 60, now(), 'migration');

-- an owner's unfinished jobs are counted against its quota at every request for one
CREATE INDEX infra_jobs_requested_unfinished ON infra_jobs (requested_by) WHERE finished_at IS NULL;
CREATE INDEX addons_owner ON addons (owner);

-- whose registration a job works on: the job runner gives no owner more than its share of workers at once
ALTER TABLE infra_jobs ADD COLUMN target_owner text;
UPDATE infra_jobs j SET target_owner = coalesce(
        (SELECT owner FROM clusters c WHERE c.id = j.cluster_id),
        (SELECT owner FROM addons a WHERE a.kind || '/' || a.id = j.cluster_id))
    WHERE finished_at IS NULL;
CREATE INDEX infra_jobs_owner_unfinished ON infra_jobs (target_owner) WHERE finished_at IS NULL;
