-- The editable tables and their version bookkeeping (tables: migrations/002_domain.sql).

-- The editable tables: each gets version/updated_at bookkeeping here, a history (20_history.sql) and
-- a change notification (30_layer_notify.sql) — one list.
CREATE OR REPLACE FUNCTION zs_editable_tables() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
  SELECT ARRAY['command_area', 'township', 'village', 'park', 'project', 'project_milestone', 'parcel', 'house',
    'farmland', 'cane_base', 'military_land', 'disputed_land', 'reserved_land', 'resettlement_site',
    'fund_transfer', 'problem', 'land_use', 'eco_redline', 'urban_boundary', 'procedure_step', 'procedure_attachment',
    'project_quota']
$$;

-- Shared bookkeeping: bump version and timestamps on every update.
CREATE OR REPLACE FUNCTION zs_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.version := OLD.version + 1;
  NEW.updated_at := coalesce(nullif(current_setting('zs.changed_at', true), '')::timestamptz, now());
  NEW.updated_by := coalesce(nullif(current_setting('zs.changed_by', true), ''), NEW.updated_by, 'system');
  RETURN NEW;
END $$;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY zs_editable_tables() LOOP
    EXECUTE format('CREATE OR REPLACE TRIGGER %I_touch BEFORE UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION zs_touch()', t, t);
  END LOOP;
END $$;
