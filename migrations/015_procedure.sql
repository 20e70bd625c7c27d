-- The legal procedure of each project (土地管理法 2019, 实施条例 2021 arts. 26–31) and its land quotas.
--   procedure_step        one row per project and step (geo/procedure.ts lists the eight, in order):
--                         planned and actual dates, the document, who recorded it (updated_by and the
--                         history). A 听证 not asked for is recorded as waived, with the reason.
--   procedure_attachment  the scanned notice or document of a step, kept in the database: size-limited
--                         and type-checked on the way in (server/core/procedure.ts), served only to
--                         readers of the project (geo/roles.ts projectReadRefusal).
--   project_quota         用地指标 secured for a project, by source: 年度计划, 增减挂钩, 占补平衡. What a
--                         project needs is derived from its red line and the land use (new construction
--                         land, cultivated land), never typed in.
-- A parcel or house signed before the 方案公告 has run its 30 days is refused unless the write
-- records the reason (procedure_exception): that column is the exception register.
CREATE TABLE IF NOT EXISTS procedure_step (
  id               serial PRIMARY KEY,
  project_id       int NOT NULL REFERENCES project(id) ON DELETE CASCADE,
  step             text NOT NULL CHECK (step IN ('pre_notice', 'survey', 'risk_assessment', 'plan_notice', 'hearing',
                     'agreement', 'application', 'expropriation_notice')),
  planned_start_on date,
  planned_end_on   date CHECK (planned_end_on IS NULL OR planned_start_on IS NULL OR planned_end_on >= planned_start_on),
  started_on       date,                                    -- 实际开始 (a notice: the day it was posted)
  completed_on     date CHECK (completed_on IS NULL OR (started_on IS NOT NULL AND completed_on >= started_on)),
  doc_no           text,                                    -- 文号 (报批: the 批复文号)
  waived           boolean NOT NULL DEFAULT false,          -- 听证 not asked for
  note             text,                                    -- the reason a step is waived, or anything else
  version          int NOT NULL DEFAULT 1,
  updated_at       timestamptz NOT NULL DEFAULT now(),
  updated_by       text NOT NULL DEFAULT 'system',
  UNIQUE (project_id, step),
  CHECK (NOT waived OR (step = 'hearing' AND coalesce(btrim(note), '') <> '' AND started_on IS NULL))
);

CREATE TABLE IF NOT EXISTS procedure_attachment (
  id           serial PRIMARY KEY,
  step_id      int NOT NULL REFERENCES procedure_step(id) ON DELETE CASCADE,
  file_name    text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
  media_type   text NOT NULL CHECK (media_type IN ('application/pdf', 'image/jpeg', 'image/png', 'image/tiff')),
  size_bytes   int NOT NULL CHECK (size_bytes > 0),
  sha256       text NOT NULL,
  content      bytea NOT NULL,
  version      int NOT NULL DEFAULT 1,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  updated_by   text NOT NULL DEFAULT 'system'
);
CREATE INDEX IF NOT EXISTS procedure_attachment_step ON procedure_attachment (step_id);

CREATE TABLE IF NOT EXISTS project_quota (
  id           serial PRIMARY KEY,
  project_id   int NOT NULL REFERENCES project(id) ON DELETE CASCADE,
  kind         text NOT NULL CHECK (kind IN ('construction', 'cultivated')),   -- 新增建设用地 / 耕地 (占补平衡)
  source       text NOT NULL CHECK (source IN ('annual_plan', 'linkage', 'balance')), -- 年度计划 / 增减挂钩 / 占补平衡
  mu           numeric(12, 2) NOT NULL CHECK (mu > 0),
  doc_no       text,
  secured_on   date,
  version      int NOT NULL DEFAULT 1,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  updated_by   text NOT NULL DEFAULT 'system'
);
CREATE INDEX IF NOT EXISTS project_quota_project ON project_quota (project_id);

ALTER TABLE parcel ADD COLUMN IF NOT EXISTS procedure_exception text;  -- 例外签约: why it was signed before the 方案公告 ran its 30 days
ALTER TABLE house ADD COLUMN IF NOT EXISTS procedure_exception text;
