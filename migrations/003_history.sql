-- 变更历史: every insert, update and delete of an editable table, with who, when, and the row before
-- and after (as JSON; geometry as GeoJSON with its CRS). State at any past date is rebuilt from it:
-- for each feature, the latest entry with changed_at <= that date (absent if it was a delete).
CREATE TABLE IF NOT EXISTS change_log (
  id          bigserial PRIMARY KEY,
  layer       text NOT NULL,                 -- table name
  feature_id  bigint NOT NULL,
  op          text NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
  version     int NOT NULL,                  -- the row's version after the change (before it, for delete)
  changed_at  timestamptz NOT NULL,
  changed_by  text NOT NULL,
  reason      text,                          -- optional note given with the edit
  before      jsonb,
  after       jsonb
);
CREATE INDEX IF NOT EXISTS change_log_feature_idx ON change_log (layer, feature_id, changed_at);
CREATE INDEX IF NOT EXISTS change_log_time_idx    ON change_log (layer, changed_at);

-- Recorded by the trigger in migrations/functions/20_history.sql.

-- Settings of the running instance (e.g. the transitional allowance rate); key/value, edited by admins.
CREATE TABLE IF NOT EXISTS app_setting (
  key    text PRIMARY KEY,
  value  jsonb NOT NULL
);
