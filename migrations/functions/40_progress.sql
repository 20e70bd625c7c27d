-- Progress as of any date: the functions and the trigger that keep the derived tables
-- progress_take_history, progress_project_history and progress_delta (created, and explained, in
-- migrations/008_progress.sql) in step with change_log.

-- China has kept UTC+8 without daylight saving since 1991: a fixed offset, no tz database needed.
CREATE OR REPLACE FUNCTION zs_beijing_day(t timestamptz) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT ((t AT TIME ZONE 'UTC') + interval '8 hours')::date
$$;

-- One change_log entry of a parcel or house as the narrow row progress reads.
CREATE OR REPLACE FUNCTION zs_progress_take_row(c change_log) RETURNS SETOF progress_take_history LANGUAGE sql STABLE AS $$
  SELECT c.id, c.layer, c.feature_id, c.changed_at, c.op <> 'delete',
    (coalesce(c.after, c.before)->>'project_id')::int,
    c.after->>'status',
    CASE WHEN c.after IS NULL THEN NULL
         WHEN c.layer = 'parcel' THEN round(ST_Area(ST_GeomFromGeoJSON(c.after->'geom')::geography) * 1e6)::bigint
         ELSE round((c.after->>'building_area_m2')::numeric * 1e6)::bigint END,
    round((c.after->>'agreed_compensation_yuan')::numeric * 100)::bigint,
    coalesce(round((c.after->>'paid_yuan')::numeric * 100)::bigint, 0)
  WHERE c.layer IN ('parcel', 'house')
$$;

CREATE OR REPLACE FUNCTION zs_progress_project_row(c change_log) RETURNS SETOF progress_project_history LANGUAGE sql STABLE AS $$
  SELECT c.id, c.feature_id::int, c.changed_at, c.op <> 'delete',
    c.after->>'code', c.after->>'name', (c.after->>'year')::int, (c.after->>'command_area_id')::int,
    (c.after->>'land_target_mu')::numeric, (c.after->>'house_target_m2')::numeric
  WHERE c.layer = 'project'
$$;

-- Add (p_sign = 1) or take back (p_sign = -1) the deltas of the given features' whole timelines.
-- Each entry adds its own state and takes back its predecessor's, on its own day. (A plain
-- `= ANY (p_ids)` so the feature index is used: an `p_ids IS NULL OR …` made every edit scan the
-- whole table, ~200 ms a write at the benchmark's size.)
CREATE OR REPLACE FUNCTION zs_progress_apply(p_kind text, p_ids bigint[], p_sign int) RETURNS void LANGUAGE sql AS $$
  WITH h AS (
    SELECT t.*,
      lag(t.present) OVER w AS p_present, lag(t.project_id) OVER w AS p_project, lag(t.status) OVER w AS p_status,
      lag(t.area_mm2) OVER w AS p_area, lag(t.agreed_fen) OVER w AS p_agreed, lag(t.paid_fen) OVER w AS p_paid
    FROM progress_take_history t
    WHERE t.kind = p_kind AND t.feature_id = ANY (p_ids)
    WINDOW w AS (PARTITION BY t.feature_id ORDER BY t.changed_at, t.change_id)
  ), parts AS (
    SELECT project_id, zs_beijing_day(changed_at) AS day, 1 AS s, status, area_mm2 AS area, agreed_fen AS agreed, paid_fen AS paid
      FROM h WHERE present AND project_id IS NOT NULL
    UNION ALL
    SELECT p_project, zs_beijing_day(changed_at), -1, p_status, p_area, p_agreed, p_paid
      FROM h WHERE p_present AND p_project IS NOT NULL
  ), agg AS (
    SELECT project_id, day,
      p_sign * sum(s) AS n,
      p_sign * coalesce(sum(s) FILTER (WHERE status = 'unsigned'), 0) AS n_unsigned,
      p_sign * coalesce(sum(s) FILTER (WHERE status = 'signed'), 0) AS n_signed,
      p_sign * coalesce(sum(s) FILTER (WHERE status = 'paid'), 0) AS n_paid,
      p_sign * coalesce(sum(s) FILTER (WHERE status = 'handed_over'), 0) AS n_handed_over,
      p_sign * coalesce(sum(s) FILTER (WHERE status = 'court'), 0) AS n_court,
      p_sign * coalesce(sum(s * area), 0) AS area_mm2,
      p_sign * coalesce(sum(s * area) FILTER (WHERE status IN ('signed', 'paid', 'handed_over')), 0) AS area_signed_mm2,
      p_sign * coalesce(sum(s * area) FILTER (WHERE status = 'handed_over'), 0) AS area_done_mm2,
      p_sign * coalesce(sum(s * coalesce(agreed, 0)), 0) AS agreed_fen,
      p_sign * coalesce(sum(s * paid), 0) AS paid_fen,
      p_sign * coalesce(sum(s * greatest(coalesce(agreed, 0) - paid, 0)) FILTER (WHERE status IN ('signed', 'paid', 'handed_over')), 0) AS unpaid_fen
    FROM parts GROUP BY project_id, day
  )
  INSERT INTO progress_delta AS d (grain, period, project_id, kind, n, n_unsigned, n_signed, n_paid, n_handed_over, n_court,
    area_mm2, area_signed_mm2, area_done_mm2, agreed_fen, paid_fen, unpaid_fen)
  SELECT g.grain, CASE g.grain WHEN 'd' THEN a.day WHEN 'm' THEN date_trunc('month', a.day)::date ELSE date_trunc('year', a.day)::date END,
    a.project_id, p_kind, sum(n), sum(n_unsigned), sum(n_signed), sum(n_paid), sum(n_handed_over), sum(n_court),
    sum(area_mm2), sum(area_signed_mm2), sum(area_done_mm2), sum(agreed_fen), sum(paid_fen), sum(unpaid_fen)
  FROM agg a CROSS JOIN (VALUES ('d'::"char"), ('m'::"char"), ('y'::"char")) AS g(grain)
  GROUP BY 1, 2, 3
  ON CONFLICT (grain, period, project_id, kind) DO UPDATE SET
    n = d.n + excluded.n, n_unsigned = d.n_unsigned + excluded.n_unsigned, n_signed = d.n_signed + excluded.n_signed,
    n_paid = d.n_paid + excluded.n_paid, n_handed_over = d.n_handed_over + excluded.n_handed_over,
    n_court = d.n_court + excluded.n_court, area_mm2 = d.area_mm2 + excluded.area_mm2,
    area_signed_mm2 = d.area_signed_mm2 + excluded.area_signed_mm2, area_done_mm2 = d.area_done_mm2 + excluded.area_done_mm2,
    agreed_fen = d.agreed_fen + excluded.agreed_fen, paid_fen = d.paid_fen + excluded.paid_fen,
    unpaid_fen = d.unpaid_fen + excluded.unpaid_fen
$$;

-- Take history entries into the derived tables: the given change_log ids (one statement's, or a
-- whole batch's). Ingesting an entry twice is harmless: its features' timelines are taken back and
-- added again, and the history rows are kept once (ON CONFLICT).
CREATE OR REPLACE FUNCTION zs_progress_ingest_entries(p_ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  k text;
  ids bigint[];
BEGIN
  INSERT INTO progress_project_history SELECT r.* FROM change_log n, LATERAL zs_progress_project_row(n) r WHERE n.id = ANY (p_ids)
    ON CONFLICT (change_id) DO NOTHING;
  FOREACH k IN ARRAY ARRAY['parcel', 'house'] LOOP
    SELECT array_agg(DISTINCT n.feature_id) INTO ids FROM change_log n WHERE n.id = ANY (p_ids) AND n.layer = k;
    CONTINUE WHEN ids IS NULL;
    -- take back the affected features' timelines (if any), add the new entries, add the timelines again
    IF EXISTS (SELECT 1 FROM progress_take_history t WHERE t.kind = k AND t.feature_id = ANY (ids)) THEN
      PERFORM zs_progress_apply(k, ids, -1);
    END IF;
    INSERT INTO progress_take_history SELECT r.* FROM change_log n, LATERAL zs_progress_take_row(n) r WHERE n.id = ANY (p_ids) AND n.layer = k
      ON CONFLICT (change_id) DO NOTHING;
    PERFORM zs_progress_apply(k, ids, 1);
  END LOOP;
END $$;

-- After every insert into change_log, its entries at once. A batch of writes (an import) sets
-- zs.progress_deferred and ingests all its entries once at its end (server/db/writer.ts): per
-- statement this step was ~8 of ~10 ms of each imported feature's write.
CREATE OR REPLACE FUNCTION zs_progress_ingest() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('zs.progress_deferred', true) = 'on' THEN
    RETURN NULL;
  END IF;
  PERFORM zs_progress_ingest_entries(ARRAY(SELECT n.id FROM new_rows n));
  RETURN NULL;
END $$;

CREATE OR REPLACE TRIGGER change_log_progress AFTER INSERT ON change_log
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION zs_progress_ingest();

CREATE OR REPLACE FUNCTION zs_progress_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE progress_take_history, progress_project_history, progress_delta;
  INSERT INTO progress_project_history SELECT r.* FROM change_log c, LATERAL zs_progress_project_row(c) r WHERE c.layer = 'project';
  INSERT INTO progress_take_history SELECT r.* FROM change_log c, LATERAL zs_progress_take_row(c) r WHERE c.layer IN ('parcel', 'house');
  PERFORM zs_progress_apply('parcel', (SELECT array_agg(DISTINCT feature_id) FROM progress_take_history WHERE kind = 'parcel'), 1);
  PERFORM zs_progress_apply('house', (SELECT array_agg(DISTINCT feature_id) FROM progress_take_history WHERE kind = 'house'), 1);
END $$;

-- Fill the derived tables from change_log when they are empty but change_log is not: a database whose
-- history predates migrations/008 (it creates them empty; this file runs after it). On a fresh
-- database change_log is empty, and once filled the trigger keeps them in step, so this is a no-op
-- on every other start. (A numbered migration cannot call the function: on a fresh database the
-- files run after the numbered migrations.)
-- (A DO block: the rebuild's TRUNCATE cannot run inside a query still reading the tables.)
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM progress_take_history) AND NOT EXISTS (SELECT 1 FROM progress_project_history)
     AND EXISTS (SELECT 1 FROM change_log WHERE layer IN ('parcel', 'house', 'project')) THEN
    PERFORM zs_progress_rebuild();
  END IF;
END $$;
