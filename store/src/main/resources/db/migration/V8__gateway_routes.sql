-- Routes registered by id on a cluster's gateway (/tasks/<id>, /block/<id>, /<vdag-id>); the Mapping
-- objects are also in the infra inventory, so removing the infrastructure removes them.
CREATE TABLE gateway_routes (
    cluster_id  text        NOT NULL REFERENCES clusters (id) ON DELETE CASCADE,
    kind        text        NOT NULL CHECK (kind IN ('task', 'block', 'vdag')),
    route_id    text        NOT NULL,
    prefix      text        NOT NULL,
    service     text        NOT NULL,
    created_by  text        NOT NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (cluster_id, kind, route_id),
    UNIQUE (cluster_id, prefix)
);
