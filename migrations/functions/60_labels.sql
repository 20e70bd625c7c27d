-- 标注点: the label point of a labelled layer's feature and its part's area, stored in label_point and
-- label_area (migrations/012_label_points.sql) and read by GET /api/layers/{id}/labels: computed on
-- every call they took seconds per call; now once per change of the geometry.

-- The centre of the largest inscribed circle (the pole of inaccessibility, as the web client's
-- polylabel finds it) of the largest part, and that part's area in square degrees. No row for an
-- empty geometry (it has no part to label).
CREATE OR REPLACE FUNCTION zs_label(g geometry, OUT point geometry, OUT area double precision)
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT (ST_MaximumInscribedCircle(d.geom)).center, ST_Area(d.geom) FROM ST_Dump(g) d ORDER BY ST_Area(d.geom) DESC LIMIT 1
$$;

-- The labelled tables and their polygon column: every table the migration gave a label_point.
CREATE OR REPLACE FUNCTION zs_labelled_tables() RETURNS TABLE (tbl text, col text) LANGUAGE sql STABLE AS $$
  SELECT g.f_table_name::text, g.f_geometry_column::text
    FROM geometry_columns g
    JOIN information_schema.columns c ON c.table_schema = g.f_table_schema AND c.table_name = g.f_table_name AND c.column_name = 'label_point'
   WHERE g.f_table_schema = current_schema() AND g.type = 'MULTIPOLYGON'
   ORDER BY 1
$$;

-- Set on every insert and every update of the geometry, whoever writes (the write path, imports, the
-- demo loader, COPY); an update that sets the derived columns themselves gets them recomputed.
-- TG_ARGV[0] names the polygon column (red_line for projects, geom elsewhere).
CREATE OR REPLACE FUNCTION zs_set_label() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('SELECT l.point, l.area FROM zs_label($1.%I) l', TG_ARGV[0]) INTO NEW.label_point, NEW.label_area USING NEW;
  RETURN NEW;
END $$;

DO $$
DECLARE l record;
BEGIN
  FOR l IN SELECT * FROM zs_labelled_tables() LOOP
    EXECUTE format('CREATE OR REPLACE TRIGGER %I_label BEFORE INSERT OR UPDATE OF %I, label_point, label_area ON %I
                    FOR EACH ROW EXECUTE FUNCTION zs_set_label(%L)', l.tbl, l.col, l.tbl, l.col);
  END LOOP;
END $$;

-- Rows without their point (written before migration 012, or while the trigger was off) get it here,
-- at the next start; a no-op otherwise. The table's own triggers are off for this update: a derived
-- column is no change of the feature (no new version, no history entry, no tile invalidation).
DO $$
DECLARE l record; due boolean;
BEGIN
  FOR l IN SELECT * FROM zs_labelled_tables() LOOP
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE label_point IS NULL AND NOT ST_IsEmpty(%I))', l.tbl, l.col) INTO due;
    IF due THEN
      EXECUTE format('ALTER TABLE %I DISABLE TRIGGER USER', l.tbl);
      EXECUTE format('UPDATE %I t SET (label_point, label_area) = (SELECT l.point, l.area FROM zs_label(t.%I) l) WHERE t.label_point IS NULL',
        l.tbl, l.col);
      EXECUTE format('ALTER TABLE %I ENABLE TRIGGER USER', l.tbl);
    END IF;
  END LOOP;
END $$;
