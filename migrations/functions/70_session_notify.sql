-- Session revocation across server processes: every process keeps the sessions it has looked up in
-- memory (server/accounts/sessions.ts) for as long as it hears this channel, zs_session. A session row
-- deleted (logout, password change, expiry sweep, an administrator ending it, by any process or any SQL
-- client) announces its token hash, "s:<hash>"; a change to what a user may do (roles, areas, disabled,
-- name) announces the user, "u:<id>". LISTEN/NOTIFY delivers at commit, so a revoked session is gone
-- from every cache the moment its deletion is visible.

CREATE OR REPLACE FUNCTION zs_session_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'app_session' THEN
    PERFORM pg_notify('zs_session', 's:' || OLD.token_hash);
  ELSE
    PERFORM pg_notify('zs_session', 'u:' || OLD.id);
  END IF;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS app_session_revoked ON app_session;
CREATE TRIGGER app_session_revoked AFTER DELETE ON app_session
  FOR EACH ROW EXECUTE FUNCTION zs_session_revoked();

DROP TRIGGER IF EXISTS app_user_rights_changed ON app_user;
CREATE TRIGGER app_user_rights_changed AFTER UPDATE OF roles, area_ids, disabled, display_name, username ON app_user
  FOR EACH ROW WHEN (OLD.roles IS DISTINCT FROM NEW.roles OR OLD.area_ids IS DISTINCT FROM NEW.area_ids
    OR OLD.disabled IS DISTINCT FROM NEW.disabled OR OLD.display_name IS DISTINCT FROM NEW.display_name
    OR OLD.username IS DISTINCT FROM NEW.username)
  EXECUTE FUNCTION zs_session_revoked();
