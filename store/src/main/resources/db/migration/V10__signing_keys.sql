-- The control plane's own signing keys (Ed25519; the private half sealed like every other secret).
-- One row per purpose; every replica of a network uses the same key.
CREATE TABLE signing_keys (
    purpose        text PRIMARY KEY,
    public_key     bytea       NOT NULL,
    key_id         text        NOT NULL,
    sealed_private bytea       NOT NULL,
    created_at     timestamptz NOT NULL
);
