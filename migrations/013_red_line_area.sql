-- The ellipsoidal area of a project's red line (GRS80 geography, m²), computed by PostgreSQL whenever
-- the red line is written, as the dense layers keep theirs in area_m2 (005): the red lines' area_mu
-- read it instead of a geodesic area per red line per request (75–100 ms of the 750 red lines'
-- GET /api/layers/red_line/features at scale 25, half of its query). Derived: never written, never
-- an attribute (generated columns are left out of the feature columns, server/core/catalogue.ts).
ALTER TABLE project ADD COLUMN IF NOT EXISTS red_line_area_m2 double precision
  GENERATED ALWAYS AS (ST_Area(red_line::geography)) STORED;
