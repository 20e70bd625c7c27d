-- 变更历史: every insert, update and delete of an editable table recorded in change_log (the table:
-- migrations/003_history.sql), with who, when, and the row before and after.

-- What the history keeps of a row: every column but the derived Web-Mercator geometry (a second copy
-- of the geometry in every change_log entry), label point (60_labels.sql), red line's area
-- (migration 013) and an attachment's bytes (015: its checksum and size are kept): not attributes anyone edits. The demo loader (data/load.ts) writes its dated
-- history with it too.
CREATE OR REPLACE FUNCTION zs_row_json(r anyelement) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT to_jsonb(r) - '{geom_3857,red_line_3857,label_point,label_area,red_line_area_m2,content}'::text[]
$$;

-- Who and when come from transaction-local settings (SET LOCAL zs.changed_by / zs.changed_at / zs.reason)
-- so the application, imports and the demo loader all record history the same way.
-- zs.bulk_load = on skips the trigger: the demo loader writes its dated history itself.
CREATE OR REPLACE FUNCTION zs_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_at  timestamptz := coalesce(nullif(current_setting('zs.changed_at', true), '')::timestamptz, now());
  v_by  text := coalesce(nullif(current_setting('zs.changed_by', true), ''), 'system');
  v_why text := nullif(current_setting('zs.reason', true), '');
  -- set by a restore (server/core/write.ts) for its own statement: the version it brings back
  v_from int := nullif(current_setting('zs.restored_from', true), '')::int;
BEGIN
  IF current_setting('zs.bulk_load', true) = 'on' THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    INSERT INTO change_log (layer, feature_id, op, version, changed_at, changed_by, reason, restored_from, before, after)
    VALUES (TG_TABLE_NAME, NEW.id, 'insert', NEW.version, v_at, v_by, v_why, v_from, NULL, zs_row_json(NEW));
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO change_log (layer, feature_id, op, version, changed_at, changed_by, reason, restored_from, before, after)
    VALUES (TG_TABLE_NAME, NEW.id, 'update', NEW.version, v_at, v_by, v_why, v_from, zs_row_json(OLD), zs_row_json(NEW));
  ELSE
    INSERT INTO change_log (layer, feature_id, op, version, changed_at, changed_by, reason, before, after)
    VALUES (TG_TABLE_NAME, OLD.id, 'delete', OLD.version, v_at, v_by, v_why, zs_row_json(OLD), NULL);
  END IF;
  RETURN NULL;
END $$;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY zs_editable_tables() LOOP
    EXECUTE format('CREATE OR REPLACE TRIGGER %I_history AFTER INSERT OR UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION zs_record_change()', t, t);
  END LOOP;
END $$;
