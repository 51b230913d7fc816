#!/usr/bin/env bash
# Runs a command against a throw-away PostgreSQL server.
#
#   scripts/with-postgres.sh cargo test --workspace
#
# Starts PostgreSQL (the server binaries from PG_BIN, default /usr/lib/postgresql/15/bin) in a temporary
# folder on a free loopback port, exports VIGIL_TEST_DATABASE_URL (and VIGIL_DATABASE__URL) pointing at it,
# runs the command, and always stops the server and removes the folder on exit. As root, the server runs as
# the `postgres` user (PostgreSQL refuses to run as root); otherwise as the current user.
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$PG_BIN/initdb" ]; then
  echo "with-postgres: no PostgreSQL server binaries in $PG_BIN (set PG_BIN)" >&2
  exit 2
fi

as_server_user() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

PGDATA_ROOT=$(mktemp -d /tmp/vigil-pg.XXXXXX)
chmod 755 "$PGDATA_ROOT"
[ "$(id -u)" = 0 ] && chown postgres "$PGDATA_ROOT"
PGDATA="$PGDATA_ROOT/data"
PORT=$(free_port)

stop_server() {
  as_server_user "$PG_BIN/pg_ctl" -D "$PGDATA" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PGDATA_ROOT"
}
trap stop_server EXIT INT TERM

as_server_user "$PG_BIN/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 --no-locale >"$PGDATA_ROOT/initdb.log" 2>&1 \
  || { cat "$PGDATA_ROOT/initdb.log" >&2; exit 1; }
# Durability is not under test here; speed is welcome.
as_server_user "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PGDATA_ROOT/server.log" -w -t 60 \
  -o "-p $PORT -c listen_addresses=127.0.0.1 -k $PGDATA_ROOT -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
  start >/dev/null || { cat "$PGDATA_ROOT/server.log" >&2; exit 1; }

export VIGIL_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/postgres"
export VIGIL_DATABASE__URL="$VIGIL_TEST_DATABASE_URL"
echo "with-postgres: PostgreSQL on 127.0.0.1:$PORT" >&2
"$@"
