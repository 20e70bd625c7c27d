-- Accounts (用户), sessions and the command-area scope of editors.

CREATE TABLE IF NOT EXISTS app_user (
  id             serial PRIMARY KEY,
  username       text NOT NULL UNIQUE CHECK (username ~ '^[A-Za-z0-9_.@-]{2,64}$'),
  display_name   text NOT NULL DEFAULT '',
  password_hash  text NOT NULL,                 -- scrypt$N$r$p$salt$key (server/accounts/passwords.ts)
  roles          text[] NOT NULL DEFAULT '{}'
                   CHECK (roles <@ ARRAY['viewer', 'planner', 'editor', 'land_bureau', 'admin', 'military']),
  area_ids       int[] NOT NULL DEFAULT '{}',   -- command areas an editor works in
  disabled       boolean NOT NULL DEFAULT false,
  failed_logins  int NOT NULL DEFAULT 0,        -- consecutive failures; reset by a good login
  locked_until   timestamptz,                   -- login throttle after repeated failures
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  last_login_at  timestamptz
);

-- Only a hash of the cookie's token is kept, so a copy of this table opens no session.
CREATE TABLE IF NOT EXISTS app_session (
  token_hash   text PRIMARY KEY,
  user_id      int NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
  csrf_token   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  ip           text,
  user_agent   text
);
CREATE INDEX IF NOT EXISTS app_session_user_idx ON app_session (user_id);
CREATE INDEX IF NOT EXISTS app_session_expiry_idx ON app_session (expires_at);

-- Account events for the audit page: logins, failures, users created, roles and passwords changed.
-- (Data changes are in change_log; accounts are kept out of it so no password hash is ever copied.)
CREATE TABLE IF NOT EXISTS account_event (
  id        bigserial PRIMARY KEY,
  at        timestamptz NOT NULL DEFAULT now(),
  actor     text NOT NULL,              -- who did it (the user themself for logins)
  username  text NOT NULL,              -- whose account
  event     text NOT NULL CHECK (event IN ('login', 'login_failed', 'login_locked', 'logout', 'user_created',
              'user_updated', 'password_reset', 'password_changed')),
  detail    jsonb,
  ip        text
);
CREATE INDEX IF NOT EXISTS account_event_at_idx ON account_event (at);

CREATE INDEX IF NOT EXISTS change_log_by_idx ON change_log (changed_by, changed_at);
CREATE INDEX IF NOT EXISTS change_log_at_idx ON change_log (changed_at);

-- 片区范围: the command-area scope of editors is checked by triggers in migrations/functions/50_scope.sql.
