#!/usr/bin/env bash
# ParkingLot demo (README "Quick start", first command): the cloud on its embedded defaults
# (SQLite file store, in-process MQTT broker, in-memory cache) plus one simulated lot whose edge
# agent plays a day of traffic, time-compressed. Needs only the .NET SDK. Ctrl-C stops both.
#
#   ./demo.sh                     dashboard on http://127.0.0.1:5080/
#   PORT=8080 SPEED=120 ./demo.sh
#   DEMO_SECONDS=60 ./demo.sh     stop by itself after a minute (used by the smoke check)
set -Eeuo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

PORT=${PORT:-5080}
SPEED=${SPEED:-60}
LOT_FILE=${LOT_FILE:-hardware/lots/demo-lot.json}
DATA=${DATA_DIR:-.data/demo}
LOT_ID=$(sed -n 's/^ *"lotId": *"\([^"]*\)".*/\1/p' "$LOT_FILE" | head -1)

say() { printf '\033[1m[demo]\033[0m %s\n' "$*"; }
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

port_free "$PORT" || { say "port $PORT is taken; run PORT=<another> ./demo.sh"; exit 2; }
MQTT_PORT=${MQTT_PORT:-1883}
while ! port_free "$MQTT_PORT"; do MQTT_PORT=$((MQTT_PORT + 1)); done

say "building (first run restores packages, ~1 minute)"
dotnet build cloud/ParkingLot.Cloud/ParkingLot.Cloud.csproj -c Release -nologo -v q -clp:ErrorsOnly
dotnet build edge/ParkingLot.Edge/ParkingLot.Edge.csproj -c Release -nologo -v q -clp:ErrorsOnly
dotnet build edge/ParkingLot.Edge.Cli/ParkingLot.Edge.Cli.csproj -c Release -nologo -v q -clp:ErrorsOnly

mkdir -p "$DATA/logs"
PIDS=()
stop() {
  trap - INT TERM EXIT
  say "stopping"
  # SIGTERM, not SIGINT: a script's background jobs ignore SIGINT. The edge goes first so it can
  # flush its outbox to the cloud and publish "offline" before the broker goes away.
  local i pid
  for (( i=${#PIDS[@]}-1; i>=0; i-- )); do
    pid=${PIDS[$i]}
    kill -TERM "$pid" 2>/dev/null || continue
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null && say "process $pid did not stop in 15 s; killed"
    wait "$pid" 2>/dev/null || true
  done
  say "stopped; data kept in $DATA (delete it to start afresh)"
}
trap stop EXIT
trap 'exit 130' INT TERM

dotnet cloud/ParkingLot.Cloud/bin/Release/net10.0/ParkingLot.Cloud.dll \
  --urls "http://127.0.0.1:$PORT" \
  --Storage:DataDirectory "$DATA/cloud" \
  --Mqtt:ListenPort "$MQTT_PORT" \
  --Lots:SeedFiles:0 "$LOT_FILE" >"$DATA/logs/cloud.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 300); do
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
  kill -0 "${PIDS[0]}" 2>/dev/null || { cat "$DATA/logs/cloud.log"; say "the cloud did not start (log above)"; exit 1; }
  sleep 0.2
done

dotnet edge/ParkingLot.Edge/bin/Release/net10.0/ParkingLot.Edge.dll \
  --lot "$LOT_FILE" --simulate --speed "$SPEED" \
  --broker "127.0.0.1:$MQTT_PORT" --data "$DATA/edge" >"$DATA/logs/edge.log" 2>&1 &
PIDS+=($!)

say "cloud:        http://127.0.0.1:$PORT  (MQTT broker 127.0.0.1:$MQTT_PORT)"
say "dashboard:    http://127.0.0.1:$PORT/"
say "availability: curl http://127.0.0.1:$PORT/api/v1/lots/$LOT_ID/availability"
say "metrics:      http://127.0.0.1:$PORT/metrics   OpenAPI: http://127.0.0.1:$PORT/openapi/v1.json"
say "pay kiosk:    http://127.0.0.1:8088/  (the lot's touchscreen page, served by the edge agent)"
say "book and pay: cloud/README.md, \"Pay a booking\" (no Stripe key: the built-in TEST GATEWAY pays)"
say "technician:   dotnet edge/ParkingLot.Edge.Cli/bin/Release/net10.0/parkctl.dll --data $DATA/edge status"
say "logs:         $DATA/logs/   — Ctrl-C stops everything"

started=$SECONDS
while :; do
  for i in "${!PIDS[@]}"; do
    kill -0 "${PIDS[$i]}" 2>/dev/null || { say "a process exited; see $DATA/logs/"; tail -20 "$DATA/logs/"*.log; exit 1; }
  done
  if command -v curl >/dev/null; then
    line=$(curl -fsS "http://127.0.0.1:$PORT/api/v1/lots/$LOT_ID/availability" 2>/dev/null \
      | grep -o '"vehicleType":"[a-z]*","capacity":[0-9]*,"occupied":[0-9]*,"free":[0-9]*' \
      | sed 's/"vehicleType":"\([a-z]*\)","capacity":\([0-9]*\),"occupied":[0-9]*,"free":\([0-9]*\)/\1 \3\/\2/' | paste -sd' ' || true)
    [ -n "$line" ] && say "free: $line"
  fi
  if [ -n "${DEMO_SECONDS:-}" ] && [ $((SECONDS - started)) -ge "$DEMO_SECONDS" ]; then exit 0; fi
  sleep 5
done
