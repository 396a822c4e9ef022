#!/usr/bin/env bash
# Starts the loopback database servers the Reconnector tests talk to (no mocks):
#   PostgreSQL: its own cluster on 127.0.0.1:${SK_PG_PORT:-55432}, a user with a password, a database;
#   Redis:      127.0.0.1:${SK_REDIS_PORT:-56379} with requirepass.
# Installs Debian's postgresql / redis-server first when missing (needs root or sudo).
# Idempotent: whatever already answers with the expected credentials is left alone.
# `scripts/services.sh stop` stops the servers an earlier call started (listed in $STATE_DIR/started),
# and nothing else: a server that was already running is not ours to stop.
# The defaults here are the defaults the tests read (packages/core/test/reconnect-env.ts);
# export the same SK_* variables to both to change them.
set -euo pipefail

PG_HOST=127.0.0.1
PG_PORT="${SK_PG_PORT:-55432}"
PG_USER="${SK_PG_USER:-suitkaise}"
PG_PASSWORD="${SK_PG_PASSWORD:-suitkaise-pg-secret}"
PG_DATABASE="${SK_PG_DATABASE:-suitkaise_test}"
REDIS_HOST=127.0.0.1
REDIS_PORT="${SK_REDIS_PORT:-56379}"
REDIS_PASSWORD="${SK_REDIS_PASSWORD:-suitkaise-redis-secret}"
STATE_DIR="${SK_SERVICES_DIR:-/tmp/suitkaise-services}"

sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo_cmd="sudo"; fi
fi
say() { echo "services: $*"; }
die() { echo "services: $*" >&2; exit 1; }

apt_install() {
  if [ "$(id -u)" -ne 0 ] && [ -z "$sudo_cmd" ]; then
    die "need root or sudo to install $* (apt-get install -y $*)"
  fi
  say "installing $* (apt-get)…"
  if [ -z "${apt_updated:-}" ]; then $sudo_cmd apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "$@" >/dev/null
}

pg_bin() {
  local version
  version="$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$version" ] && [ -x "/usr/lib/postgresql/$version/bin/postgres" ] && echo "/usr/lib/postgresql/$version/bin"
}

pg_answers() {
  PGPASSWORD="$PG_PASSWORD" PGCONNECT_TIMEOUT=3 psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$PG_DATABASE" \
    -tAc 'select 1' 2>/dev/null | grep -qx 1
}

# Runs a command as the cluster's owner: postgres under root, else ourselves.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_postgres() {
  if pg_answers; then say "PostgreSQL already up on $PG_HOST:$PG_PORT"; return; fi
  [ -n "$(pg_bin)" ] && command -v psql >/dev/null 2>&1 || apt_install postgresql
  local bin data log
  bin="$(pg_bin)" || die "no PostgreSQL server binaries under /usr/lib/postgresql"
  data="$STATE_DIR/pg-$PG_PORT"
  log="$STATE_DIR/pg-$PG_PORT.log"
  mkdir -p "$STATE_DIR"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$STATE_DIR" "$data" 2>/dev/null || true
  if [ ! -f "$data/PG_VERSION" ]; then
    say "creating a PostgreSQL cluster in $data"
    mkdir -p "$data"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$data"
    chmod 700 "$data"
    as_owner "$bin/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 >/dev/null
  fi
  if ! as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    [ "$(id -u)" -eq 0 ] && { touch "$log"; chown postgres:postgres "$log"; }
    as_owner "$bin/pg_ctl" -D "$data" -l "$log" -w -t 30 \
      -o "-c listen_addresses=$PG_HOST -c port=$PG_PORT -c unix_socket_directories=$data" start >/dev/null \
      || die "PostgreSQL did not start; see $log"
    echo "postgres $bin $data" >> "$STATE_DIR/started"
  fi
  local admin=(psql -h "$data" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA)
  local pw_sql=${PG_PASSWORD//\'/\'\'}
  if [ "$(as_owner "${admin[@]}" -c "select 1 from pg_roles where rolname = '$PG_USER'")" != 1 ]; then
    as_owner "${admin[@]}" -c "create role \"$PG_USER\" login password '$pw_sql'"
  else
    as_owner "${admin[@]}" -c "alter role \"$PG_USER\" login password '$pw_sql'"
  fi
  if [ "$(as_owner "${admin[@]}" -c "select 1 from pg_database where datname = '$PG_DATABASE'")" != 1 ]; then
    as_owner "${admin[@]}" -c "create database \"$PG_DATABASE\" owner \"$PG_USER\""
  fi
  pg_answers || die "PostgreSQL is running but $PG_USER cannot log in to $PG_DATABASE on $PG_HOST:$PG_PORT; see $log"
  say "PostgreSQL started on $PG_HOST:$PG_PORT"
}

redis_answers() {
  [ "$(REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]
}

start_redis() {
  if command -v redis-cli >/dev/null 2>&1 && redis_answers; then say "Redis already up on $REDIS_HOST:$REDIS_PORT"; return; fi
  command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1 || apt_install redis-server
  local dir="$STATE_DIR/redis-$REDIS_PORT"
  mkdir -p "$dir"
  # The password goes through stdin, not argv, so `ps` does not show it.
  printf 'port %s\nbind %s\nrequirepass "%s"\ndaemonize yes\nsave ""\nappendonly no\ndir %s\npidfile %s/redis.pid\nlogfile %s/redis.log\n' \
    "$REDIS_PORT" "$REDIS_HOST" "$REDIS_PASSWORD" "$dir" "$dir" "$dir" | redis-server - >/dev/null
  for _ in $(seq 1 50); do redis_answers && break; sleep 0.1; done
  redis_answers || die "Redis did not start; see $dir/redis.log"
  echo "redis $dir/redis.pid" >> "$STATE_DIR/started"
  say "Redis started on $REDIS_HOST:$REDIS_PORT"
}

stop_started() {
  [ -f "$STATE_DIR/started" ] || { say "nothing to stop"; return; }
  while read -r kind a b; do
    case "$kind" in
      postgres) as_owner "$a/pg_ctl" -D "$b" -m fast -w stop >/dev/null 2>&1 && say "PostgreSQL stopped" || true ;;
      redis) [ -f "$a" ] && kill "$(cat "$a")" 2>/dev/null && say "Redis stopped" || true ;;
    esac
  done < "$STATE_DIR/started"
  rm -f "$STATE_DIR/started"
}

if [ "${1:-}" = stop ]; then
  stop_started
  exit 0
fi

start_postgres
start_redis
cat <<EOF
services: ready
  PostgreSQL  postgres://$PG_USER:$PG_PASSWORD@$PG_HOST:$PG_PORT/$PG_DATABASE
  Redis       redis://default:$REDIS_PASSWORD@$REDIS_HOST:$REDIS_PORT
  (test-only credentials; the tests read SK_PG_HOST/PORT/USER/PASSWORD/DATABASE and
   SK_REDIS_HOST/PORT/PASSWORD, with these defaults)
EOF
