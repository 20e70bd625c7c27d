-- Every committed change to a map table is announced on channel zs_layer_changed, one notification per
-- changed row: the table, the row's id, version and operation, its Web-Mercator envelope before ("o")
-- and after ("n"), rounded outward to whole metres, and the envelopes of the features derived from it
-- ("d": a parcel's red line, whose progress the parcel changes). Every server process drops exactly
-- the cached tiles these touch and tells the open maps (server/core/changes.ts, GET /api/changes).
--   {"t":"parcel","op":"update","id":14,"v":5,"o":[x0,y0,x1,y1],"n":[…],"d":[{"t":"project","id":3,"b":[…]}]}
-- A statement that changes more rows than zs_change_bulk_rows() (an import, a reload) or a TRUNCATE is
-- announced once for the whole table instead: {"t":"parcel","op":"bulk"}.
-- LISTEN/NOTIFY delivers at commit, in commit order, to every listener; identical payloads within one
-- transaction are folded into one.

-- Above this many rows in one statement, one whole-table notification instead of one per row.
CREATE OR REPLACE FUNCTION zs_change_bulk_rows() RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT 500 $$;

-- An envelope as [xmin, ymin, xmax, ymax] in whole metres, rounded outward; NULL for no geometry.
CREATE OR REPLACE FUNCTION zs_box_json(g geometry) RETURNS json LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN g IS NULL OR ST_IsEmpty(g) THEN NULL
    ELSE json_build_array(floor(ST_XMin(g))::bigint, floor(ST_YMin(g))::bigint, ceil(ST_XMax(g))::bigint, ceil(ST_YMax(g))::bigint) END
$$;

-- The tables whose features are derived from a table's rows, as the layer catalogue declares them
-- (geo/layers.ts dependsOn; the migrator hands them over in zs.layer_dependants), each with the
-- foreign key that leads there and the derived table's Web-Mercator column:
-- zs_layer_dependants('parcel') = [{"table": "project", "key": "project_id", "geom": "red_line_3857"}].
CREATE OR REPLACE FUNCTION zs_layer_dependants(p_table text) RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
DECLARE
  declared text := current_setting('zs.layer_dependants', true);
  dep text;
  result jsonb := '[]';
  fk text;
  g text;
BEGIN
  IF coalesce(declared, '') = '' THEN
    RAISE EXCEPTION 'zs.layer_dependants is not set: the functions are applied by the server''s migrator (server/db/migrate.ts)';
  END IF;
  FOR dep IN SELECT d->>'dependant' FROM jsonb_array_elements(declared::jsonb) d WHERE d->>'table' = p_table LOOP
    SELECT a.attname INTO fk
      FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
     WHERE c.contype = 'f' AND c.conrelid = p_table::regclass AND c.confrelid = dep::regclass AND cardinality(c.conkey) = 1;
    SELECT column_name INTO g FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = dep AND udt_name = 'geometry' AND column_name LIKE '%\_3857';
    IF fk IS NULL OR g IS NULL THEN
      RAISE EXCEPTION 'layer catalogue: % depends on %, but % has no single-column foreign key to it, or % no Web-Mercator geometry',
        dep, p_table, p_table, dep;
    END IF;
    result := result || jsonb_build_object('table', dep, 'key', fk, 'geom', g);
  END LOOP;
  RETURN result;
END $$;

-- The statement's rows, one notification each (or one for the table). TG_ARGV: the Web-Mercator
-- geometry column ('' for none), whether rows carry a version, the dependants (zs_layer_dependants).
CREATE OR REPLACE FUNCTION zs_notify_layer_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  geom text := TG_ARGV[0];
  versioned boolean := TG_ARGV[1]::boolean;
  deps jsonb := TG_ARGV[2]::jsonb;
  -- an INSERT has no old rows and a DELETE no new ones: an empty relation of the table's type instead
  none text := format('(SELECT * FROM %I WHERE false)', TG_TABLE_NAME);
  old_rows_rel text := CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN 'old_rows' ELSE none END;
  new_rows_rel text := CASE WHEN TG_OP IN ('INSERT', 'UPDATE') THEN 'new_rows' ELSE none END;
  n bigint;
  dep jsonb;
  derived text := '''[]''::jsonb';
  payload text;
BEGIN
  IF TG_OP <> 'TRUNCATE' THEN
    EXECUTE format('SELECT count(*) FROM %s', CASE TG_OP WHEN 'INSERT' THEN 'new_rows' ELSE 'old_rows' END) INTO n;
    IF n = 0 THEN RETURN NULL; END IF;
  END IF;
  IF TG_OP = 'TRUNCATE' OR n > zs_change_bulk_rows() THEN
    PERFORM pg_notify('zs_layer_changed', json_build_object('t', TG_TABLE_NAME, 'op', 'bulk')::text);
    RETURN NULL;
  END IF;
  FOR dep IN SELECT * FROM jsonb_array_elements(deps) LOOP
    derived := derived || format(' || coalesce((SELECT jsonb_agg(jsonb_build_object(''t'', %L, ''id'', d.id, ''b'', zs_box_json(d.%I)) ORDER BY d.id)
      FROM %I d WHERE d.id IN (o.%I, n.%I)), ''[]'')', dep->>'table', dep->>'geom', dep->>'table', dep->>'key', dep->>'key');
  END LOOP;
  FOR payload IN EXECUTE format(
    'SELECT json_strip_nulls(json_build_object(''t'', %L, ''op'', %L, ''id'', coalesce(n.id, o.id), ''v'', %s,
        ''o'', %s, ''n'', %s, ''d'', nullif(%s, ''[]'')))::text
       FROM %s o FULL JOIN %s n ON n.id = o.id',
    TG_TABLE_NAME, lower(TG_OP),
    CASE WHEN versioned THEN 'coalesce(n.version, o.version)' ELSE 'NULL::int' END,
    CASE WHEN geom <> '' THEN format('zs_box_json(o.%I)', geom) ELSE 'NULL::json' END,
    CASE WHEN geom <> '' THEN format('zs_box_json(n.%I)', geom) ELSE 'NULL::json' END,
    derived, old_rows_rel, new_rows_rel)
  LOOP
    PERFORM pg_notify('zs_layer_changed', payload);
  END LOOP;
  RETURN NULL;
END $$;

DO $$
DECLARE
  t text;
  geom text;
  versioned boolean;
  deps text;
BEGIN
  -- the editable tables (a few have no layer; a notification for them costs nothing) and the base map
  FOREACH t IN ARRAY zs_editable_tables() || ARRAY['water', 'road', 'built_up', 'place'] LOOP
    SELECT column_name INTO geom FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = t AND udt_name = 'geometry' AND column_name LIKE '%\_3857';
    versioned := EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = t AND column_name = 'version');
    deps := zs_layer_dependants(t)::text;
    -- the statement-level trigger of before (table name only) is replaced by these four
    EXECUTE format('DROP TRIGGER IF EXISTS %I ON %I', t || '_notify', t);
    -- transition tables need one trigger per event
    EXECUTE format('CREATE OR REPLACE TRIGGER %I_notify_insert AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION zs_notify_layer_change(%L, %L, %L)', t, t, coalesce(geom, ''), versioned, deps);
    EXECUTE format('CREATE OR REPLACE TRIGGER %I_notify_update AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION zs_notify_layer_change(%L, %L, %L)', t, t, coalesce(geom, ''), versioned, deps);
    EXECUTE format('CREATE OR REPLACE TRIGGER %I_notify_delete AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows
                    FOR EACH STATEMENT EXECUTE FUNCTION zs_notify_layer_change(%L, %L, %L)', t, t, coalesce(geom, ''), versioned, deps);
    EXECUTE format('CREATE OR REPLACE TRIGGER %I_notify_truncate AFTER TRUNCATE ON %I
                    FOR EACH STATEMENT EXECUTE FUNCTION zs_notify_layer_change(%L, %L, %L)', t, t, coalesce(geom, ''), versioned, deps);
  END LOOP;
END $$;
