-- Add-on registries (container registries, asset registries, inference servers): one table, a kind each.
CREATE TABLE addons (
    id          text PRIMARY KEY,
    kind        text        NOT NULL,
    name        text        NOT NULL,
    owner       text        NOT NULL,
    cluster_id  text,
    public_url  text        NOT NULL,
    tags        text[]      NOT NULL,
    document    jsonb       NOT NULL,
    version     bigint      NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    UNIQUE (kind, name)
);
CREATE INDEX addons_cluster ON addons (cluster_id);
CREATE INDEX addons_tags ON addons USING gin (tags);
