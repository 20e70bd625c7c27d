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

-- Who and when come from transaction-local settings (SET LOCAL zs.changed_by / zs.changed_at / zs.reason)
-- so the application, imports and the demo loader all record history the same way.
-- zs.bulk_load = on skips the trigger: the demo loader writes its dated history itself.
CREATE OR REPLACE FUNCTION zs_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_at  timestamptz := coalesce(nullif(current_setting('zs.changed_at', true), '')::timestamptz, now());
  v_by  text := coalesce(nullif(current_setting('zs.changed_by', true), ''), 'system');
  v_why text := nullif(current_setting('zs.reason', true), '');
BEGIN
  IF current_setting('zs.bulk_load', true) = 'on' THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    INSERT INTO change_log (layer, feature_id, op, version, changed_at, changed_by, reason, before, after)
    VALUES (TG_TABLE_NAME, NEW.id, 'insert', NEW.version, v_at, v_by, v_why, NULL, to_jsonb(NEW));
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO change_log (layer, feature_id, op, version, changed_at, changed_by, reason, before, after)
    VALUES (TG_TABLE_NAME, NEW.id, 'update', NEW.version, v_at, v_by, v_why, to_jsonb(OLD), to_jsonb(NEW));
  ELSE
    INSERT INTO change_log (layer, feature_id, op, version, changed_at, changed_by, reason, before, after)
    VALUES (TG_TABLE_NAME, OLD.id, 'delete', OLD.version, v_at, v_by, v_why, to_jsonb(OLD), NULL);
  END IF;
  RETURN NULL;
END $$;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY zs_editable_tables() LOOP
    EXECUTE format('DROP TRIGGER IF EXISTS %I_history ON %I', t, t);
    EXECUTE format('CREATE TRIGGER %I_history AFTER INSERT OR UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION zs_record_change()', t, t);
  END LOOP;
END $$;

-- Settings of the running instance (e.g. the transitional allowance rate); key/value, edited by admins.
CREATE TABLE IF NOT EXISTS app_setting (
  key    text PRIMARY KEY,
  value  jsonb NOT NULL
);
