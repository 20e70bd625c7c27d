-- The domain of the seed (district land and house expropriation), all geometry in CGCS2000 (EPSG:4490).
-- Every feature table carries: version (optimistic concurrency, bumped by trigger), updated_at/updated_by,
-- a GiST index on geom and a validity check, so an invalid geometry can never be stored. The triggers
-- and their functions (version bookkeeping, history, change notification) are in migrations/functions/.

-- 片区指挥部: 贵城 / 港城 / 城区外围
CREATE TABLE IF NOT EXISTS command_area (
  id          serial PRIMARY KEY,
  code        text NOT NULL UNIQUE CHECK (code IN ('guicheng', 'gangcheng', 'outer')),
  name        text NOT NULL,                      -- 贵城片区
  commander   text,                               -- 指挥长
  geom        geometry(MultiPolygon, 4490) NOT NULL CHECK (ST_IsValid(geom)),
  version     int NOT NULL DEFAULT 1,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  text NOT NULL DEFAULT 'system'
);

-- 乡镇/街道
CREATE TABLE IF NOT EXISTS township (
  id              serial PRIMARY KEY,
  name            text NOT NULL UNIQUE,
  kind            text NOT NULL CHECK (kind IN ('town', 'subdistrict')),   -- 镇 / 街道
  command_area_id int NOT NULL REFERENCES command_area(id),
  geom            geometry(MultiPolygon, 4490) NOT NULL CHECK (ST_IsValid(geom)),
  version         int NOT NULL DEFAULT 1,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  updated_by      text NOT NULL DEFAULT 'system'
);

-- 行政村/社区 (village collectives own most farmland; reserved land is owed to them)
CREATE TABLE IF NOT EXISTS village (
  id           serial PRIMARY KEY,
  name         text NOT NULL,
  kind         text NOT NULL DEFAULT 'village' CHECK (kind IN ('village', 'community')),
  township_id  int NOT NULL REFERENCES township(id),
  geom         geometry(MultiPolygon, 4490) NOT NULL CHECK (ST_IsValid(geom)),
  version      int NOT NULL DEFAULT 1,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  updated_by   text NOT NULL DEFAULT 'system',
  UNIQUE (township_id, name)
);

-- 园区: 西江产业园区, 西江教育园区, 粤桂产业园区, 富硒产业园区
CREATE TABLE IF NOT EXISTS park (
  id          serial PRIMARY KEY,
  name        text NOT NULL UNIQUE,
  geom        geometry(MultiPolygon, 4490) NOT NULL CHECK (ST_IsValid(geom)),
  version     int NOT NULL DEFAULT 1,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  text NOT NULL DEFAULT 'system'
);

-- 项目: a land take with targets and a red line (红线). The red line may be missing: the seed's
-- 旺华郁江大桥及东二环 has "未出征地红线图".
CREATE TABLE IF NOT EXISTS project (
  id               serial PRIMARY KEY,
  code             text NOT NULL UNIQUE,
  name             text NOT NULL,
  kind             text NOT NULL CHECK (kind IN ('road', 'bridge', 'industrial_park', 'residential',
                     'old_town_renewal', 'riverfront', 'public_facility', 'resettlement', 'other')),
  source           text NOT NULL CHECK (source IN ('city_assigned', 'district_coordinated', 'key')), -- 市下达 / 区统筹 / 重点
  year             int NOT NULL CHECK (year BETWEEN 2000 AND 2100),          -- target year
  command_area_id  int NOT NULL REFERENCES command_area(id),
  park_id          int REFERENCES park(id),
  land_target_mu   numeric(12, 2) NOT NULL DEFAULT 0 CHECK (land_target_mu >= 0),   -- 土地征收目标 (亩)
  house_target_m2  numeric(12, 2) NOT NULL DEFAULT 0 CHECK (house_target_m2 >= 0),  -- 房屋征收目标 (m²)
  approval_stage   text NOT NULL DEFAULT 'pre_expropriation'
                     CHECK (approval_stage IN ('pre_expropriation', 'submitted', 'approved')), -- 预征地 / 报批 / 批复
  approval_doc_no  text,                                   -- 批复文号
  approved_on      date,
  approved_by_region boolean NOT NULL DEFAULT false,       -- 自治区批复: decides 失地农民养老保险 eligibility
  owner_unit       text,                                   -- 项目业主
  started_on       date,
  red_line         geometry(MultiPolygon, 4490) CHECK (red_line IS NULL OR ST_IsValid(red_line)),
  version          int NOT NULL DEFAULT 1,
  updated_at       timestamptz NOT NULL DEFAULT now(),
  updated_by       text NOT NULL DEFAULT 'system',
  CHECK (approval_stage <> 'approved' OR approval_doc_no IS NOT NULL)
);

-- 节点: e.g. 全线贯通 / 半幅通车 / 通车 with dates (the seed lists several)
CREATE TABLE IF NOT EXISTS project_milestone (
  id           serial PRIMARY KEY,
  project_id   int NOT NULL REFERENCES project(id) ON DELETE CASCADE,
  kind         text NOT NULL CHECK (kind IN ('construction_start', 'land_cleared', 'half_opened',
                 'opened_to_traffic', 'completed', 'other')),
  name         text NOT NULL,
  planned_on   date,
  occurred_on  date,
  version      int NOT NULL DEFAULT 1,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  updated_by   text NOT NULL DEFAULT 'system'
);

-- 宗地: the land inside a red line, one agreement each. Status workflow:
-- unsigned 未签约 → signed 已签约 → paid 已付款 → handed_over 已交地; or court 司法征收.
CREATE TABLE IF NOT EXISTS parcel (
  id                        serial PRIMARY KEY,
  project_id                int NOT NULL REFERENCES project(id),
  village_id                int REFERENCES village(id),
  code                      text NOT NULL UNIQUE,         -- 宗地编号
  owner_type                text NOT NULL CHECK (owner_type IN ('village_collective', 'household',
                              'public_institution', 'enterprise', 'military', 'state_farm')),
  owner_name                text NOT NULL,
  land_class                text NOT NULL,                -- 地类编码 (GB/T 21010), e.g. 0101 水田
  status                    text NOT NULL DEFAULT 'unsigned'
                              CHECK (status IN ('unsigned', 'signed', 'paid', 'handed_over', 'court')),
  agreed_compensation_yuan  numeric(14, 2) CHECK (agreed_compensation_yuan >= 0),  -- 协议补偿金额
  paid_yuan                 numeric(14, 2) NOT NULL DEFAULT 0 CHECK (paid_yuan >= 0),
  signed_on                 date,
  paid_on                   date,
  handed_over_on            date,
  court_filed_on            date,
  geom                      geometry(MultiPolygon, 4490) NOT NULL CHECK (ST_IsValid(geom)),
  version                   int NOT NULL DEFAULT 1,
  updated_at                timestamptz NOT NULL DEFAULT now(),
  updated_by                text NOT NULL DEFAULT 'system'
);

-- 房屋: houses to be taken (building area in m², the house target's unit); same workflow as parcels.
CREATE TABLE IF NOT EXISTS house (
  id                        serial PRIMARY KEY,
  project_id                int NOT NULL REFERENCES project(id),
  parcel_id                 int REFERENCES parcel(id),
  code                      text NOT NULL UNIQUE,
  owner_name                text NOT NULL,
  owner_type                text NOT NULL CHECK (owner_type IN ('village_collective', 'household',
                              'public_institution', 'enterprise', 'military', 'state_farm')),
  building_area_m2          numeric(10, 2) NOT NULL CHECK (building_area_m2 > 0),
  structure                 text,                          -- 砖混 / 框架 / 砖木 ...
  floors                    int CHECK (floors > 0),
  status                    text NOT NULL DEFAULT 'unsigned'
                              CHECK (status IN ('unsigned', 'signed', 'paid', 'handed_over', 'court')),
  agreed_compensation_yuan  numeric(14, 2) CHECK (agreed_compensation_yuan >= 0),
  paid_yuan                 numeric(14, 2) NOT NULL DEFAULT 0 CHECK (paid_yuan >= 0),
  signed_on                 date,
  paid_on                   date,
  handed_over_on            date,                          -- 腾空交房
  court_filed_on            date,
  demolished_on             date,
  geom                      geometry(MultiPolygon, 4490) NOT NULL CHECK (ST_IsValid(geom)),
  version                   int NOT NULL DEFAULT 1,
  updated_at                timestamptz NOT NULL DEFAULT now(),
  updated_by                text NOT NULL DEFAULT 'system'
);

-- 耕地 / 永久基本农田
CREATE TABLE IF NOT EXISTS farmland (
  id          serial PRIMARY KEY,
  code        text NOT NULL UNIQUE,                        -- 图斑编号
  kind        text NOT NULL CHECK (kind IN ('permanent_basic', 'cultivated')),
  land_class  text NOT NULL,                               -- 0101 水田 / 0102 水浇地 / 0103 旱地
  village_id  int REFERENCES village(id),
  geom        geometry(MultiPolygon, 4490) NOT NULL CHECK (ST_IsValid(geom)),
  version     int NOT NULL DEFAULT 1,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  text NOT NULL DEFAULT 'system'
);

-- 双高糖料蔗基地: taking it needs equal-area replacement land (调整置换)
CREATE TABLE IF NOT EXISTS cane_base (
  id          serial PRIMARY KEY,
  code        text NOT NULL UNIQUE,
  name        text NOT NULL,
  village_id  int REFERENCES village(id),
  grower      text,                                        -- 经营主体
  geom        geometry(MultiPolygon, 4490) NOT NULL CHECK (ST_IsValid(geom)),
  version     int NOT NULL DEFAULT 1,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  text NOT NULL DEFAULT 'system'
);

-- 军事用地: geometry is public as a restricted zone; attributes are sensitive (accounts issue).
CREATE TABLE IF NOT EXISTS military_land (
  id          serial PRIMARY KEY,
  code        text NOT NULL UNIQUE,
  name        text NOT NULL,                               -- 训练场 / 军属宿舍楼 / 军分区大院
  unit        text,
  use         text NOT NULL CHECK (use IN ('training_ground', 'dependents_housing', 'compound', 'other')),
  notes       text,
  geom        geometry(MultiPolygon, 4490) NOT NULL CHECK (ST_IsValid(geom)),
  version     int NOT NULL DEFAULT 1,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  text NOT NULL DEFAULT 'system'
);

-- 争议地: e.g. between 西江农场 and 根竹镇
CREATE TABLE IF NOT EXISTS disputed_land (
  id          serial PRIMARY KEY,
  code        text NOT NULL UNIQUE,
  name        text NOT NULL,
  parties     text NOT NULL,
  status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'mediating', 'resolved')),
  description text,
  geom        geometry(MultiPolygon, 4490) NOT NULL CHECK (ST_IsValid(geom)),
  version     int NOT NULL DEFAULT 1,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  text NOT NULL DEFAULT 'system'
);

-- 生产生活安置留用地: land owed back to a village for a take; geom is the planned site, if any.
CREATE TABLE IF NOT EXISTS reserved_land (
  id              serial PRIMARY KEY,
  code            text NOT NULL UNIQUE,
  village_id      int NOT NULL REFERENCES village(id),
  project_id      int REFERENCES project(id),
  year            int NOT NULL,
  owed_mu         numeric(10, 2) NOT NULL CHECK (owed_mu >= 0),
  delivered_mu    numeric(10, 2) NOT NULL DEFAULT 0 CHECK (delivered_mu >= 0),
  due_on          date,
  delivered_on    date,
  notes           text,
  geom            geometry(MultiPolygon, 4490) CHECK (geom IS NULL OR ST_IsValid(geom)),
  version         int NOT NULL DEFAULT 1,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  updated_by      text NOT NULL DEFAULT 'system'
);

-- 安置区
CREATE TABLE IF NOT EXISTS resettlement_site (
  id                    serial PRIMARY KEY,
  name                  text NOT NULL UNIQUE,
  command_area_id       int NOT NULL REFERENCES command_area(id),
  is_shantytown         boolean NOT NULL DEFAULT false,    -- 棚户区
  units_planned         int NOT NULL CHECK (units_planned >= 0),
  units_delivered       int NOT NULL DEFAULT 0 CHECK (units_delivered >= 0),
  households_waiting    int NOT NULL DEFAULT 0 CHECK (households_waiting >= 0),
  construction_start_on date,
  planned_delivery_on   date NOT NULL,
  actual_delivery_on    date,
  geom                  geometry(MultiPolygon, 4490) NOT NULL CHECK (ST_IsValid(geom)),
  version               int NOT NULL DEFAULT 1,
  updated_at            timestamptz NOT NULL DEFAULT now(),
  updated_by            text NOT NULL DEFAULT 'system'
);

-- 资金拨付: money for a project's compensation, asked for and (late, per the seed) received.
CREATE TABLE IF NOT EXISTS fund_transfer (
  id            serial PRIMARY KEY,
  project_id    int NOT NULL REFERENCES project(id),
  amount_yuan   numeric(14, 2) NOT NULL CHECK (amount_yuan > 0),
  requested_on  date NOT NULL,
  received_on   date,
  source        text,                                      -- 市财政 / 项目业主 / 上级资金
  version       int NOT NULL DEFAULT 1,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  updated_by    text NOT NULL DEFAULT 'system'
);

-- 问题台账: typed from the seed's "存在问题"
CREATE TABLE IF NOT EXISTS problem (
  id           serial PRIMARY KEY,
  project_id   int REFERENCES project(id),
  resettlement_site_id int REFERENCES resettlement_site(id),
  kind         text NOT NULL CHECK (kind IN ('funding', 'public_institution', 'military_land',
                 'cane_base_replacement', 'resettlement_delay', 'irrigation_damage', 'reserved_land',
                 'pension_eligibility', 'illegal_building')),
  title        text NOT NULL,
  description  text,
  status       text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'resolved')),
  owner        text,                                       -- 责任单位/人
  opened_on    date NOT NULL,
  resolved_on  date,
  geom         geometry(Point, 4490),
  version      int NOT NULL DEFAULT 1,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  updated_by   text NOT NULL DEFAULT 'system'
);

-- Base map, so the map reads like a map offline: 郁江, roads, built-up areas, place names.
CREATE TABLE IF NOT EXISTS water (
  id    serial PRIMARY KEY,
  name  text,
  kind  text NOT NULL CHECK (kind IN ('river', 'lake', 'pond')),
  geom  geometry(MultiPolygon, 4490) NOT NULL CHECK (ST_IsValid(geom))
);
CREATE TABLE IF NOT EXISTS road (
  id    serial PRIMARY KEY,
  name  text,
  class text NOT NULL CHECK (class IN ('expressway', 'arterial', 'secondary', 'local', 'railway')),
  geom  geometry(MultiLineString, 4490) NOT NULL
);
CREATE TABLE IF NOT EXISTS built_up (
  id    serial PRIMARY KEY,
  name  text,
  geom  geometry(MultiPolygon, 4490) NOT NULL CHECK (ST_IsValid(geom))
);
CREATE TABLE IF NOT EXISTS place (
  id    serial PRIMARY KEY,
  name  text NOT NULL,
  kind  text NOT NULL CHECK (kind IN ('city', 'town', 'village', 'landmark', 'station')),
  rank  int NOT NULL DEFAULT 5,                             -- lower shows earlier
  geom  geometry(Point, 4490) NOT NULL
);

-- Spatial indexes (GiST) and the foreign keys the queries join on.
CREATE INDEX IF NOT EXISTS command_area_geom_idx      ON command_area      USING gist (geom);
CREATE INDEX IF NOT EXISTS township_geom_idx          ON township          USING gist (geom);
CREATE INDEX IF NOT EXISTS village_geom_idx           ON village           USING gist (geom);
CREATE INDEX IF NOT EXISTS park_geom_idx              ON park              USING gist (geom);
CREATE INDEX IF NOT EXISTS project_red_line_idx       ON project           USING gist (red_line);
CREATE INDEX IF NOT EXISTS parcel_geom_idx            ON parcel            USING gist (geom);
CREATE INDEX IF NOT EXISTS parcel_project_idx         ON parcel (project_id);
CREATE INDEX IF NOT EXISTS house_geom_idx             ON house             USING gist (geom);
CREATE INDEX IF NOT EXISTS house_project_idx          ON house (project_id);
CREATE INDEX IF NOT EXISTS farmland_geom_idx          ON farmland          USING gist (geom);
CREATE INDEX IF NOT EXISTS cane_base_geom_idx         ON cane_base         USING gist (geom);
CREATE INDEX IF NOT EXISTS military_land_geom_idx     ON military_land     USING gist (geom);
CREATE INDEX IF NOT EXISTS disputed_land_geom_idx     ON disputed_land     USING gist (geom);
CREATE INDEX IF NOT EXISTS reserved_land_geom_idx     ON reserved_land     USING gist (geom);
CREATE INDEX IF NOT EXISTS resettlement_site_geom_idx ON resettlement_site USING gist (geom);
CREATE INDEX IF NOT EXISTS problem_geom_idx           ON problem           USING gist (geom);
CREATE INDEX IF NOT EXISTS water_geom_idx             ON water             USING gist (geom);
CREATE INDEX IF NOT EXISTS road_geom_idx              ON road              USING gist (geom);
CREATE INDEX IF NOT EXISTS built_up_geom_idx          ON built_up          USING gist (geom);
CREATE INDEX IF NOT EXISTS place_geom_idx             ON place             USING gist (geom);
