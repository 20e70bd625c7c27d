-- Every committed change to a map table is announced on channel zs_layer_changed with the table's
-- name, so every server process on this database drops the cached tiles it affects (LISTEN/NOTIFY
-- is delivered at commit; repeats within one transaction are folded into one).
CREATE OR REPLACE FUNCTION zs_notify_layer_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('zs_layer_changed', TG_TABLE_NAME);
  RETURN NULL;
END $$;

DO $$
DECLARE t text;
BEGIN
  -- the editable tables (a few have no layer; a notification for them costs nothing) and the base map
  FOREACH t IN ARRAY zs_editable_tables() || ARRAY['water', 'road', 'built_up', 'place'] LOOP
    EXECUTE format('CREATE OR REPLACE TRIGGER %I_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I
                    FOR EACH STATEMENT EXECUTE FUNCTION zs_notify_layer_change()', t, t);
  END LOOP;
END $$;
