-- Web-Mercator copies of the map layers' geometries (<geometry column>_3857), computed by PostgreSQL
-- whenever the geometry is written, each with its own GiST index: tiles select and clip them as they
-- are instead of transforming every feature of every tile (~20 % of a z14 parcel tile's database CPU).
-- Derived, like area_m2: never written, never an attribute (features, exports and tile fields list
-- their columns), and left out of the history (zs_row_json, migrations/functions/20_history.sql).
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
