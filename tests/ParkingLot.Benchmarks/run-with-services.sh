#!/usr/bin/env bash
# Runs the benchmarks against throwaway PostgreSQL and Redis on free loopback ports, the way
# ./test.sh starts them (durability off, a temporary folder), and stops them afterwards.
#
#   tests/ParkingLot.Benchmarks/run-with-services.sh all
#   tests/ParkingLot.Benchmarks/run-with-services.sh availability booking search
#
# BENCH_PG_OPTS adds server options, e.g. BENCH_PG_OPTS="-c shared_preload_libraries=pg_stat_statements"
# to see where PostgreSQL spends its time.
#
# Needs the Debian packages postgresql and redis-server (./test.sh installs them). Without this
# script (plain `dotnet run`), the cloud benchmarks run on the embedded SQLite store and in-process cache.
set -Eeuo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$PG_BIN" ] || { echo "PostgreSQL is not installed (apt-get install postgresql postgresql-contrib, or run ./test.sh once)" >&2; exit 1; }
command -v redis-server >/dev/null || { echo "redis-server is not installed (apt-get install redis-server, or run ./test.sh once)" >&2; exit 1; }

TMP=$(mktemp -d /tmp/parkinglot-bench.XXXXXX)
chmod 755 "$TMP"
REDIS_PID=""
PG_STARTED=0
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi
cleanup() {
  set +e
  [ "$PG_STARTED" = 1 ] && as_pg "$PG_BIN/pg_ctl" -D "$TMP/pg" -m immediate stop >/dev/null 2>&1
  [ -n "$REDIS_PID" ] && kill "$REDIS_PID" 2>/dev/null && wait "$REDIS_PID" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local p
  for _ in $(seq 1 200); do p=$(( 20000 + RANDOM % 40000 )); if port_free "$p"; then echo "$p"; return; fi; done
  echo "no free loopback port" >&2; exit 1
}

PG_PORT=$(free_port)
mkdir -p "$TMP/pg" "$TMP/pgsock"
[ "$(id -u)" -eq 0 ] && chown postgres "$TMP/pg" "$TMP/pgsock"
as_pg "$PG_BIN/initdb" -D "$TMP/pg" -U postgres --auth=trust -E UTF8 --no-instructions >"$TMP/initdb.log" 2>&1 \
  || { cat "$TMP/initdb.log" >&2; exit 1; }
as_pg "$PG_BIN/pg_ctl" -D "$TMP/pg" -w -t 60 -l "$TMP/pg/server.log" \
  -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $TMP/pgsock -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400 ${BENCH_PG_OPTS:-}" \
  start >/dev/null || { cat "$TMP/pg/server.log" >&2; exit 1; }
PG_STARTED=1

REDIS_PORT=$(free_port)
mkdir -p "$TMP/redis"
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$TMP/redis" --save '' --appendonly no --logfile "$TMP/redis/redis.log" &
REDIS_PID=$!
for _ in $(seq 1 100); do port_free "$REDIS_PORT" || break; sleep 0.1; done

export PARKINGLOT_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres;Maximum Pool Size=300;Timeout=30"
export PARKINGLOT_TEST_REDIS="127.0.0.1:$REDIS_PORT"
echo "PostgreSQL on 127.0.0.1:$PG_PORT, Redis on 127.0.0.1:$REDIS_PORT" >&2
dotnet run -c Release --project tests/ParkingLot.Benchmarks -- "$@"
