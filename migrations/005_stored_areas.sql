-- Ellipsoidal areas (GRS80 geography, m²) stored with the dense layers' rows, computed by PostgreSQL
-- whenever the geometry is written: tiles, popups and ledgers read them instead of computing a
-- geodesic area per feature per request (that doubled the cost of a parcel tile).
ALTER TABLE parcel    ADD COLUMN IF NOT EXISTS area_m2 double precision GENERATED ALWAYS AS (ST_Area(geom::geography)) STORED;
ALTER TABLE farmland  ADD COLUMN IF NOT EXISTS area_m2 double precision GENERATED ALWAYS AS (ST_Area(geom::geography)) STORED;
ALTER TABLE cane_base ADD COLUMN IF NOT EXISTS area_m2 double precision GENERATED ALWAYS AS (ST_Area(geom::geography)) STORED;
