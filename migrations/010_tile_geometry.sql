-- Web-Mercator copies of the map layers' geometries (<geometry column>_3857), computed by PostgreSQL
-- whenever the geometry is written, each with its own GiST index: tiles select and clip them as they
-- are instead of transforming every feature of every tile (~20 % of a z14 parcel tile's database CPU).
-- Derived, like area_m2: never written, never an attribute (features, exports and tile fields list
-- their columns), and left out of the history (zs_row_json below).
DO $$
DECLARE
  l record;
BEGIN
  FOR l IN SELECT * FROM (VALUES
      ('water', 'geom'), ('built_up', 'geom'), ('road', 'geom'), ('place', 'geom'),
      ('command_area', 'geom'), ('township', 'geom'), ('village', 'geom'), ('park', 'geom'),
      ('farmland', 'geom'), ('cane_base', 'geom'), ('military_land', 'geom'), ('disputed_land', 'geom'),
      ('reserved_land', 'geom'), ('project', 'red_line'), ('parcel', 'geom'), ('house', 'geom'),
      ('resettlement_site', 'geom'), ('problem', 'geom')) AS v(tbl, col)
  LOOP
    EXECUTE format('ALTER TABLE %I ADD COLUMN IF NOT EXISTS %I geometry GENERATED ALWAYS AS (ST_Transform(%I, 3857)) STORED',
      l.tbl, l.col || '_3857', l.col);
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I USING gist (%I)', l.tbl || '_' || l.col || '_3857_idx', l.tbl, l.col || '_3857');
  END LOOP;
END $$;

-- What the history keeps of a row: every column but the derived Web-Mercator geometry (a second
-- copy of the geometry in every change_log entry, and not an attribute anyone edits).
CREATE OR REPLACE FUNCTION zs_row_json(r anyelement) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT to_jsonb(r) - '{geom_3857,red_line_3857}'::text[]
$$;

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
    VALUES (TG_TABLE_NAME, NEW.id, 'insert', NEW.version, v_at, v_by, v_why, NULL, zs_row_json(NEW));
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO change_log (layer, feature_id, op, version, changed_at, changed_by, reason, before, after)
    VALUES (TG_TABLE_NAME, NEW.id, 'update', NEW.version, v_at, v_by, v_why, zs_row_json(OLD), zs_row_json(NEW));
  ELSE
    INSERT INTO change_log (layer, feature_id, op, version, changed_at, changed_by, reason, before, after)
    VALUES (TG_TABLE_NAME, OLD.id, 'delete', OLD.version, v_at, v_by, v_why, zs_row_json(OLD), NULL);
  END IF;
  RETURN NULL;
END $$;
