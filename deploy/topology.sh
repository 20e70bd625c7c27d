#!/usr/bin/env bash
# The scale-out topology on one machine, for trying it and for the tests:
#
#   browser ──▶ HAProxy :8080 ──▶ app :3001 ─┐                 ┌─▶ primary :5432 (writes, LISTEN, migrations)
#                               └▶ app :3002 ─┼─▶ PgBouncer :6432 ┘
#                                             └──────────────────▶ replica :5433 (pg_basebackup -R, hot standby: reads)
#
#   deploy/topology.sh start     start the replica, PgBouncer, the app processes and HAProxy
#   deploy/topology.sh stop      stop them again (the primary is the machine's and keeps running)
#   deploy/topology.sh status    what runs, and each app's /health through the balancer
#
# Settings (environment), with their defaults:
#   PRIMARY_PORT=5432  REPLICA_PORT=5433  BOUNCER_PORT=6432  APP_PORTS="3001 3002"  BALANCER_PORT=8080
#   DB=zhengshou       the database (created on the primary if missing; the first app seeds the demo)
#   ZS_DIR=/tmp/zs-topology   the replica's data folder, generated configurations, logs and pids
#   SEED_DEMO=true     as for `npm start`
# Needs PostgreSQL 15 server binaries, pgbouncer and haproxy (Debian packages postgresql-15,
# pgbouncer, haproxy) and a primary that accepts replication connections from 127.0.0.1 (Debian's
# default pg_hba.conf does, for local users). Run `npx vite build` first to serve the web client.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
PRIMARY_PORT=${PRIMARY_PORT:-5432}
REPLICA_PORT=${REPLICA_PORT:-5433}
BOUNCER_PORT=${BOUNCER_PORT:-6432}
APP_PORTS=${APP_PORTS:-"3001 3002"}
BALANCER_PORT=${BALANCER_PORT:-8080}
DB=${DB:-zhengshou}
ZS_DIR=${ZS_DIR:-/tmp/zs-topology}
bin=$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)

# PostgreSQL and PgBouncer refuse to run as root: as root, run them as `postgres`
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
url() { echo "postgres://postgres@127.0.0.1:$1/$DB"; }
wait_for() { # what, command…: until the command succeeds, at most 60 s
  local what=$1; shift
  local until=$((SECONDS + 60))
  while [ $SECONDS -lt $until ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "topology: $what did not come up" >&2; return 1
}
psql() { "$bin/psql" "$@"; } # the server's own psql: Debian's wrapper takes half a second to start

start() {
  for p in pg_basebackup pg_ctl; do [ -x "$bin/$p" ] || { echo "topology: $bin/$p missing (Debian postgresql-15)" >&2; exit 1; }; done
  for p in pgbouncer haproxy; do command -v $p >/dev/null || [ -x /usr/sbin/$p ] || { echo "topology: $p missing (Debian $p)" >&2; exit 1; }; done
  mkdir -p "$ZS_DIR"
  [ "$(id -u)" = 0 ] && chown postgres: "$ZS_DIR"
  "$bin/pg_isready" -q -h 127.0.0.1 -p "$PRIMARY_PORT" || { echo "topology: no primary on 127.0.0.1:$PRIMARY_PORT" >&2; exit 1; }
  psql -qAt -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -d postgres -c "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1 \
    || createdb -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres "$DB"

  # the streaming replica: a base backup of the primary that follows it (-R writes standby.signal and
  # primary_conninfo), started as a hot standby on its own port
  if [ ! -d "$ZS_DIR/replica" ]; then
    as_postgres "$bin/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$ZS_DIR/replica" -R -X stream -c fast
  fi
  as_postgres "$bin/pg_ctl" -D "$ZS_DIR/replica" -l "$ZS_DIR/replica.log" -w start </dev/null >/dev/null \
    -o "-p $REPLICA_PORT -k $ZS_DIR -c listen_addresses=127.0.0.1 -c hot_standby=on"

  # PgBouncer from deploy/pgbouncer.ini, pointed at this primary and database
  sed -e "s|^zhengshou = host=[^ ]* port=[0-9]* dbname=[^ ]*|$DB = host=127.0.0.1 port=$PRIMARY_PORT dbname=$DB|" \
      -e "s|^listen_port = .*|listen_port = $BOUNCER_PORT|" \
      -e "s|^auth_file = .*|auth_file = $here/userlist.txt|" \
      "$here/pgbouncer.ini" > "$ZS_DIR/pgbouncer.ini"
  printf 'logfile = %s\npidfile = %s\n' "$ZS_DIR/pgbouncer.log" "$ZS_DIR/pgbouncer.pid" >> "$ZS_DIR/pgbouncer.ini"
  [ "$(id -u)" = 0 ] && chown postgres: "$ZS_DIR/pgbouncer.ini"
  # (daemons and background processes get no terminal streams: a caller waiting on our output must not wait on them)
  as_postgres pgbouncer -d "$ZS_DIR/pgbouncer.ini" </dev/null >/dev/null 2>>"$ZS_DIR/pgbouncer.err"
  wait_for "PgBouncer on :$BOUNCER_PORT" psql -qAt "$(url "$BOUNCER_PORT")" -c 'SELECT 1'

  # the app processes, one after the other: the first migrates (and seeds an empty database)
  for port in $APP_PORTS; do
    (cd "$root"; DATABASE_URL="$(url "$BOUNCER_PORT")" DATABASE_DIRECT_URL="$(url "$PRIMARY_PORT")" \
      DATABASE_PREPARED_STATEMENTS=false READ_DATABASE_URLS="$(url "$REPLICA_PORT")" PORT="$port" \
      nohup node --import tsx server/main.ts </dev/null > "$ZS_DIR/app-$port.log" 2>&1 & echo $! > "$ZS_DIR/app-$port.pid")
    wait_for "the app on :$port (see $ZS_DIR/app-$port.log)" curl -sf "http://127.0.0.1:$port/health"
  done

  # HAProxy from deploy/haproxy.cfg with these ports: one server line per app process
  servers=""; n=0
  for port in $APP_PORTS; do n=$((n + 1)); servers+="  server app$n 127.0.0.1:$port check\n"; done
  awk -v bind="  bind 127.0.0.1:$BALANCER_PORT" -v servers="$servers" '
    /^  bind / { print bind; next }
    /^  server / { if (!done[section]++) printf "%s", servers; next }
    /^backend / { section = $2 }
    { print }' "$here/haproxy.cfg" > "$ZS_DIR/haproxy.cfg"
  haproxy -c -q -f "$ZS_DIR/haproxy.cfg"
  haproxy -D -f "$ZS_DIR/haproxy.cfg" -p "$ZS_DIR/haproxy.pid" </dev/null >/dev/null 2>>"$ZS_DIR/haproxy.log"
  wait_for "HAProxy on :$BALANCER_PORT" curl -sf "http://127.0.0.1:$BALANCER_PORT/health"
  echo "topology up: http://127.0.0.1:$BALANCER_PORT/ → apps on $APP_PORTS → PgBouncer :$BOUNCER_PORT → primary :$PRIMARY_PORT; reads on the replica :$REPLICA_PORT"
}

stop() {
  [ -f "$ZS_DIR/haproxy.pid" ] && kill "$(cat "$ZS_DIR/haproxy.pid")" 2>/dev/null || true
  for port in $APP_PORTS; do
    [ -f "$ZS_DIR/app-$port.pid" ] && kill "$(cat "$ZS_DIR/app-$port.pid")" 2>/dev/null || true
  done
  [ -f "$ZS_DIR/pgbouncer.pid" ] && kill "$(cat "$ZS_DIR/pgbouncer.pid")" 2>/dev/null || true
  [ -d "$ZS_DIR/replica" ] && as_postgres "$bin/pg_ctl" -D "$ZS_DIR/replica" -m fast -w stop 2>/dev/null || true
  rm -f "$ZS_DIR"/*.pid
  echo "topology stopped (the replica's data stays in $ZS_DIR/replica; remove it to take a new base backup)"
}

status() {
  for port in $APP_PORTS; do
    printf 'app :%s  %s\n' "$port" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health" || true)"
  done
  printf 'balancer :%s  %s\n' "$BALANCER_PORT" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$BALANCER_PORT/health" || true)"
  printf 'replica :%s  in recovery: %s\n' "$REPLICA_PORT" "$(psql -qAt "$(url "$REPLICA_PORT")" -c 'SELECT pg_is_in_recovery()' 2>/dev/null || echo down)"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
