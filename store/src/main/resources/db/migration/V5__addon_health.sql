-- What the periodic probe of each add-on's URL last saw. An unreachable add-on is marked, never deleted.
ALTER TABLE addons ADD COLUMN health_status text NOT NULL DEFAULT 'unknown';
ALTER TABLE addons ADD COLUMN health_message text;
ALTER TABLE addons ADD COLUMN health_checked_at timestamptz;
ALTER TABLE addons ADD COLUMN last_seen_at timestamptz;
