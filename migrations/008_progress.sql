-- Progress as of any date (issue #7), fast at the benchmark's size.
--
-- The truth stays change_log: the state at a date is, per feature, the latest entry with
-- changed_at <= that date. Reading that straight from change_log means de-toasting ~330k JSON rows
-- (each with its GeoJSON) per request at scale 25, so two compact tables are derived from it, kept in
-- step by a statement-level trigger ON change_log — which sees the history trigger's entries AND the
-- demo loader's dated history (the loader writes change_log directly, with the row triggers off):
--
--   progress_take_history  one narrow row per parcel/house change_log entry: project, status, area
--                          (parcel: ellipsoidal area on GRS80; house: building area) in mm², agreed and paid in 分.
--   progress_project_history  one narrow row per project entry: targets, year, command area.
--   progress_delta         per project, kind and Beijing calendar day, the change of each summed figure
--                          (counts by status, areas, money) between a feature's entry and its predecessor
--                          IN changed_at ORDER (not insert order), so a back-dated entry is exact too.
--                          Figures at the end of day D = sum of deltas with day <= D (telescoping). The
--                          same deltas are also kept summed by month and by year (grain 'm', 'y'), so D
--                          costs the years before D's year + the months before D's month + the days of
--                          D's month: a few dozen rows per project instead of every day since 2018.
--
-- The functions and the trigger are in migrations/functions/40_progress.sql. zs_progress_rebuild()
-- recomputes all three tables from change_log (that file runs it when they are empty and change_log is
-- not, i.e. right after this migration on a database with history; a test checks that the incremental
-- tables equal a rebuild).

DROP TABLE IF EXISTS progress_take_history CASCADE;
CREATE TABLE progress_take_history (
  change_id   bigint PRIMARY KEY,                 -- change_log.id
  kind        text NOT NULL CHECK (kind IN ('parcel', 'house')),
  feature_id  bigint NOT NULL,
  changed_at  timestamptz NOT NULL,
  present     boolean NOT NULL,                   -- false: the entry is a delete
  project_id  int,
  status      text,
  area_mm2    bigint,                             -- integers (mm², fen) so sums are exact and fast
  agreed_fen  bigint,
  paid_fen    bigint NOT NULL DEFAULT 0
);
CREATE INDEX progress_take_history_feature_idx ON progress_take_history (kind, feature_id, changed_at, change_id);
CREATE INDEX progress_take_history_time_idx ON progress_take_history (changed_at);

DROP TABLE IF EXISTS progress_project_history CASCADE;
CREATE TABLE progress_project_history (
  change_id        bigint PRIMARY KEY,
  project_id       int NOT NULL,
  changed_at       timestamptz NOT NULL,
  present          boolean NOT NULL,
  code             text,
  name             text,
  year             int,
  command_area_id  int,
  land_target_mu   numeric,
  house_target_m2  numeric
);
CREATE INDEX progress_project_history_idx ON progress_project_history (project_id, changed_at, change_id);

-- derived tables only: dropped here, refilled from change_log by migrations/functions/40_progress.sql
DROP TABLE IF EXISTS progress_delta CASCADE;
CREATE TABLE progress_delta (
  grain           "char" NOT NULL CHECK (grain IN ('d', 'm', 'y')),  -- the same deltas summed by day, month, year
  period          date NOT NULL,                  -- Beijing day of the change / first day of its month / of its year
  project_id      int NOT NULL,
  kind            text NOT NULL,
  n               int NOT NULL DEFAULT 0,
  n_unsigned      int NOT NULL DEFAULT 0,
  n_signed        int NOT NULL DEFAULT 0,
  n_paid          int NOT NULL DEFAULT 0,
  n_handed_over   int NOT NULL DEFAULT 0,
  n_court         int NOT NULL DEFAULT 0,
  area_mm2        bigint NOT NULL DEFAULT 0,      -- all features (mm²: integer sums are exact and fast)
  area_signed_mm2 bigint NOT NULL DEFAULT 0,      -- with an agreement: signed, paid or handed over
  area_done_mm2   bigint NOT NULL DEFAULT 0,      -- handed over (已交地 / 腾空交房)
  agreed_fen      bigint NOT NULL DEFAULT 0,      -- agreed compensation (分), every status that has one
  paid_fen        bigint NOT NULL DEFAULT 0,
  unpaid_fen      bigint NOT NULL DEFAULT 0,      -- Σ max(agreed − paid, 0) over signed/paid/handed-over
  PRIMARY KEY (grain, period, project_id, kind)
);

-- 过渡安置费 monthly rate per household (元/户/月) used for the accrued allowance of late resettlement
-- sites. 600 is a placeholder for the demo, not an official figure: set the district's own rate with
--   UPDATE app_setting SET value = '800' WHERE key = 'transitional_allowance_yuan_per_household_month';
INSERT INTO app_setting (key, value) VALUES ('transitional_allowance_yuan_per_household_month', '600')
  ON CONFLICT (key) DO NOTHING;
