-- 片区范围 (accounts and sessions: migrations/009_accounts.sql): an editor scoped to command areas
-- writes only rows inside them. The application sets zs.scope_areas (comma-separated command_area
-- ids) in the writing transaction; unset = no scope (trusted local tools: the CLI, the demo loader).
-- Checked on the row before AND after the change, so a parcel can be moved neither out of an area nor
-- into one. A parcel or house belongs to the area holding its ST_PointOnSurface (one area each, also
-- for parcels across a boundary); a procedure step, attachment or quota to its project's area; a problem to its project's or resettlement site's area, else to
-- where its point lies. A row in no area (a district-wide problem) needs an editor of every area.
-- zs_row_area returns 0 for a reference to a project or site that does not exist: the foreign key
-- refuses that row with its own message.
CREATE OR REPLACE FUNCTION zs_row_area(p_table text, p_geom geometry, p_row jsonb) RETURNS int LANGUAGE plpgsql STABLE AS $$
DECLARE v_area int;
BEGIN
  IF p_table IN ('parcel', 'house') THEN
    SELECT a.id INTO v_area FROM command_area a
     WHERE ST_Intersects(a.geom, ST_PointOnSurface(p_geom)) ORDER BY a.id LIMIT 1;
  ELSIF p_table IN ('procedure_step', 'project_quota') THEN
    SELECT coalesce((SELECT command_area_id FROM project WHERE id = (p_row->>'project_id')::int), 0) INTO v_area;
  ELSIF p_table = 'procedure_attachment' THEN
    SELECT coalesce((SELECT p.command_area_id FROM procedure_step s JOIN project p ON p.id = s.project_id
                      WHERE s.id = (p_row->>'step_id')::int), 0) INTO v_area;
  ELSIF p_table = 'resettlement_site' THEN
    v_area := (p_row->>'command_area_id')::int;
  ELSIF p_table = 'problem' THEN
    IF p_row->>'project_id' IS NOT NULL THEN
      SELECT coalesce((SELECT command_area_id FROM project WHERE id = (p_row->>'project_id')::int), 0) INTO v_area;
    ELSIF p_row->>'resettlement_site_id' IS NOT NULL THEN
      SELECT coalesce((SELECT command_area_id FROM resettlement_site WHERE id = (p_row->>'resettlement_site_id')::int), 0) INTO v_area;
    ELSIF p_geom IS NOT NULL THEN
      SELECT a.id INTO v_area FROM command_area a WHERE ST_Intersects(a.geom, p_geom) ORDER BY a.id LIMIT 1;
    END IF;
  END IF;
  RETURN v_area;
END $$;

-- Why `p_areas` (an editor's command areas) may not write this row, or NULL when they may: the one scope
-- rule, asked by the trigger below on every write and by the feature API before one (GET …/items/{fid}
-- answers "writable" from it: server/core/write.ts writeRefusal). The refusal names the row's area and
-- the editor's, by code, for the client to word.
CREATE OR REPLACE FUNCTION zs_scope_refusal(p_table text, p_geom geometry, p_row jsonb, p_areas int[]) RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
DECLARE
  v_area int := zs_row_area(p_table, p_geom, p_row);
BEGIN
  IF v_area IS NULL THEN
    -- an editor of every area may also write what lies in none of them
    IF NOT EXISTS (SELECT 1 FROM command_area WHERE NOT id = ANY (p_areas)) THEN RETURN NULL; END IF;
  ELSIF v_area = 0 OR v_area = ANY (p_areas) THEN
    RETURN NULL;
  END IF;
  RETURN jsonb_build_object('area', (SELECT code FROM command_area WHERE id = v_area),
    'areas', coalesce((SELECT jsonb_agg(code ORDER BY id) FROM command_area WHERE id = ANY (p_areas)), '[]'::jsonb));
END $$;

CREATE OR REPLACE FUNCTION zs_check_scope() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_scope text := nullif(current_setting('zs.scope_areas', true), '');
  v_areas int[];
  v_names text;
  v_refusal jsonb;
  -- the row's geometry (TG_ARGV[0] = 'geom'); records without one (procedure steps) are placed by their project.
  -- Each assignment is planned only when it runs, so OLD.geom is never looked up on a table without it.
  v_old   geometry;
  v_new   geometry;
BEGIN
  IF v_scope IS NULL THEN
    RETURN coalesce(NEW, OLD);
  END IF;
  v_areas := CASE WHEN v_scope = 'none' THEN '{}'::int[] ELSE string_to_array(v_scope, ',')::int[] END;
  SELECT string_agg(name, '、' ORDER BY id) INTO v_names FROM command_area WHERE id = ANY (v_areas);
  IF TG_ARGV[0] = 'geom' THEN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN v_old := OLD.geom; END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN v_new := NEW.geom; END IF;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    v_refusal := zs_scope_refusal(TG_TABLE_NAME, v_old, to_jsonb(OLD) - 'geom' - 'content', v_areas);
    IF v_refusal IS NOT NULL THEN
      RAISE EXCEPTION '% % lies outside your command areas (%)', TG_TABLE_NAME, OLD.id, coalesce(v_names, 'none')
        USING ERRCODE = '42501', HINT = 'out_of_scope', DETAIL = v_refusal::text;
    END IF;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    v_refusal := zs_scope_refusal(TG_TABLE_NAME, v_new, to_jsonb(NEW) - 'geom' - 'content', v_areas);
    IF v_refusal IS NOT NULL THEN
      RAISE EXCEPTION '% % would lie outside your command areas (%)', TG_TABLE_NAME,
        CASE WHEN TG_OP = 'INSERT' THEN '(new)' ELSE NEW.id::text END, coalesce(v_names, 'none')
        USING ERRCODE = '42501', HINT = 'out_of_scope', DETAIL = v_refusal::text;
    END IF;
  END IF;
  RETURN coalesce(NEW, OLD);
END $$;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['parcel', 'house', 'problem', 'resettlement_site', 'procedure_step', 'procedure_attachment', 'project_quota'] LOOP
    EXECUTE format('CREATE OR REPLACE TRIGGER %I_scope BEFORE INSERT OR UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION zs_check_scope(%L)', t, t,
      CASE WHEN t LIKE 'procedure%' OR t = 'project_quota' THEN '' ELSE 'geom' END);
  END LOOP;
END $$;
