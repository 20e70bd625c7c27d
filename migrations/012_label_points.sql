-- The label point of every feature of the layers the catalogue labels from one point per feature
-- (geo/layers.ts `labelPoints`; GET /api/layers/{id}/labels): the centre of the largest inscribed
-- circle of the feature's largest part, and that part's area (the style's sort key). Computed for
-- every feature on every call it took 10.7 s for the red lines and 3.5 s for the villages at scale 25
-- (issue #14). Now the trigger in migrations/functions/60_labels.sql sets both whenever the geometry
-- is written, and fills the rows this migration leaves empty (a numbered migration cannot call that
-- file's function: on a fresh database the files run after it).
-- Derived, like geom_3857 and area_m2: never an attribute (server/core/catalogue.ts DERIVED_COLUMNS),
-- never in the history (zs_row_json). tests/map/label-points.test.ts holds this list to the catalogue.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['water', 'command_area', 'township', 'village', 'park', 'military_land', 'disputed_land',
      'project', 'resettlement_site'] LOOP
    EXECUTE format('ALTER TABLE %I ADD COLUMN IF NOT EXISTS label_point geometry(Point, 4490)', t);
    EXECUTE format('ALTER TABLE %I ADD COLUMN IF NOT EXISTS label_area double precision', t);
  END LOOP;
END $$;
