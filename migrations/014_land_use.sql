-- What the land is (三调地类图斑) and what the territorial plan allows on it (三区三线): the figures a
-- red line's approval (报批) is decided by.
--   land_use        三调 land-use polygons: one GB/T 21010-2017 second-level class each (geo/landclass.ts);
--                   they tile the district, as the survey does. The land bureau loads the real survey
--                   from SHP/GPKG (DLBM → class_code).
--   eco_redline     生态保护红线: inside it only a short list of uses is allowed.
--   urban_boundary  城镇开发边界: inside it land goes in a city batch (城市批次); outside, a project is
--                   sited on its own (单独选址).
-- 永久基本农田, the third line, is the farmland layer's kind 'permanent_basic'.
CREATE TABLE IF NOT EXISTS land_use (
  id          serial PRIMARY KEY,
  code        text NOT NULL UNIQUE,                        -- 图斑编号 (TBBH)
  class_code  text NOT NULL CHECK (class_code ~ '^[0-9]{2}[0-9A-Z]{0,3}$'), -- 地类编码 (DLBM): GB/T 21010-2017, 三调工作分类 (05H1 …)
  village_id  int REFERENCES village(id),                  -- 权属单位 (坐落)
  geom        geometry(MultiPolygon, 4490) NOT NULL CHECK (ST_IsValid(geom)),
  version     int NOT NULL DEFAULT 1,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  text NOT NULL DEFAULT 'system'
);

CREATE TABLE IF NOT EXISTS eco_redline (
  id          serial PRIMARY KEY,
  code        text NOT NULL UNIQUE,
  name        text NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('water_conservation', 'biodiversity', 'soil_conservation')), -- 主导生态功能
  geom        geometry(MultiPolygon, 4490) NOT NULL CHECK (ST_IsValid(geom)),
  version     int NOT NULL DEFAULT 1,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  text NOT NULL DEFAULT 'system'
);

CREATE TABLE IF NOT EXISTS urban_boundary (
  id          serial PRIMARY KEY,
  code        text NOT NULL UNIQUE,
  name        text NOT NULL,
  geom        geometry(MultiPolygon, 4490) NOT NULL CHECK (ST_IsValid(geom)),
  version     int NOT NULL DEFAULT 1,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  text NOT NULL DEFAULT 'system'
);

CREATE INDEX IF NOT EXISTS land_use_geom_idx ON land_use USING gist (geom);
CREATE INDEX IF NOT EXISTS land_use_village_idx ON land_use (village_id);
CREATE INDEX IF NOT EXISTS eco_redline_geom_idx ON eco_redline USING gist (geom);
CREATE INDEX IF NOT EXISTS urban_boundary_geom_idx ON urban_boundary USING gist (geom);

-- derived as for the other layers: the ellipsoidal area (005) of the dense layer, Web-Mercator copies
-- for tiles (010), label points of the labelled ones (012; filled by migrations/functions/60_labels.sql)
ALTER TABLE land_use ADD COLUMN IF NOT EXISTS area_m2 double precision GENERATED ALWAYS AS (ST_Area(geom::geography)) STORED;
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['land_use', 'eco_redline', 'urban_boundary'] LOOP
    EXECUTE format('ALTER TABLE %I ADD COLUMN IF NOT EXISTS geom_3857 geometry GENERATED ALWAYS AS (ST_Transform(geom, 3857)) STORED', t);
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I USING gist (geom_3857)', t || '_geom_3857_idx', t);
  END LOOP;
  FOREACH t IN ARRAY ARRAY['eco_redline', 'urban_boundary'] LOOP
    EXECUTE format('ALTER TABLE %I ADD COLUMN IF NOT EXISTS label_point geometry(Point, 4490)', t);
    EXECUTE format('ALTER TABLE %I ADD COLUMN IF NOT EXISTS label_area double precision', t);
  END LOOP;
END $$;
