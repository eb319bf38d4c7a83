#!/usr/bin/env bash
# A local Telepacs cluster for trying the scale-out (README "Running several processes"):
# PostgreSQL, Redis, N Telepacs processes (default 2) sharing one DATA_DIR and store, and
# HAProxy in front (deploy/haproxy/telepacs.cfg, its servers rewritten for N).
#
#   scripts/cluster.sh [N]        starts; Ctrl-C (or SIGTERM) stops everything it started
#
# Environment (optional):
#   DATABASE_URL   PostgreSQL URL      (default: database telepacs_cluster on 127.0.0.1:5432, created)
#   REDIS_URL      Redis URL           (default: redis://127.0.0.1:6379, started with redis-server if not answering)
#   DATA_DIR       shared data folder  (default: ./data-cluster)
#   HTTP_PORT      the balancer's HTTP port (default 8080); DICOM_PORT its DIMSE port (default 11112)
#   STORAGE_URL    as for Telepacs (default: DATA_DIR/store/short, shared by the processes)
# Every other Telepacs variable (ADMIN_PASSWORD, DICOM_PEERS…) is passed on to each process.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${1:-2}
DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/telepacs_cluster}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
DATA_DIR=$(realpath -m "${DATA_DIR:-./data-cluster}")
HTTP_PORT=${HTTP_PORT:-8080}
DICOM_PORT=${DICOM_PORT:-11112}
RUN=$DATA_DIR/run
mkdir -p "$RUN"
PIDS=()

log() { echo "[cluster] $*" >&2; }
stop() {
  log "stopping"
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop EXIT INT TERM

command -v haproxy >/dev/null || { log "haproxy not found: apt-get install haproxy"; exit 1; }

# PostgreSQL: the database, created if missing
db=${DATABASE_URL##*/}
admin=${DATABASE_URL%/*}/postgres
psql "$admin" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 || psql "$admin" -c "CREATE DATABASE \"$db\"" >/dev/null
# Redis: started here if nothing answers
if ! redis-cli -u "$REDIS_URL" ping >/dev/null 2>&1; then
  port=$(echo "$REDIS_URL" | sed -E 's#.*:([0-9]+)(/.*)?$#\1#')
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no > "$RUN/redis.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 50); do redis-cli -u "$REDIS_URL" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

export DATABASE_URL REDIS_URL DATA_DIR TRUST_PROXY=true DICOM_PROXY_PROTOCOL_FROM=${DICOM_PROXY_PROTOCOL_FROM:-127.0.0.1} PUBLIC_URL=${PUBLIC_URL:-http://localhost:$HTTP_PORT}

# The processes: ports 3001.. and 11113..
servers_http="" servers_dicom=""
for i in $(seq "$N"); do
  PORT=$((3000 + i)) DICOM_PORT=$((11112 + i)) npx tsx server.ts > "$RUN/telepacs$i.log" 2>&1 &
  PIDS+=($!)
  servers_http+="  server telepacs$i 127.0.0.1:$((3000 + i)) check cookie t$i"$'\n'
  servers_dicom+="  server telepacs$i 127.0.0.1:$((11112 + i)) check"$'\n'
  # The first one builds the portal, migrates and makes the first run's defaults; the others start once it is up
  if [ "$i" = 1 ]; then
    log "starting telepacs1 (the first start builds the portal: minutes)"
    until curl -sf "http://127.0.0.1:3001/api/health" >/dev/null; do
      kill -0 "${PIDS[-1]}" 2>/dev/null || { log "telepacs1 stopped: $RUN/telepacs1.log"; tail -20 "$RUN/telepacs1.log" >&2; exit 1; }
      sleep 0.5
    done
  fi
done

# The balancer: the shipped config with this cluster's servers and ports
awk -v http="$servers_http" -v dicom="$servers_dicom" -v hp="$HTTP_PORT" -v dp="$DICOM_PORT" '
  /^backend telepacs_http/ { section = "http" } /^backend telepacs_dicom/ { section = "dicom" }
  /^  server / { if (!done[section]++) printf "%s", (section == "http" ? http : dicom); next }
  /^  bind :8080/ { print "  bind :" hp; next } /^  bind :11112/ { print "  bind :" dp; next }
  /^  log stdout/ { next } { print }' deploy/haproxy/telepacs.cfg > "$RUN/haproxy.cfg"
haproxy -f "$RUN/haproxy.cfg" -db > "$RUN/haproxy.log" 2>&1 &
PIDS+=($!)
for i in $(seq "$N"); do
  until curl -sf "http://127.0.0.1:$((3000 + i))/api/health" >/dev/null; do sleep 0.5; done
done
until curl -sf "http://127.0.0.1:$HTTP_PORT/api/health" >/dev/null; do sleep 0.2; done
log "ready: $PUBLIC_URL (portal, DICOMweb), DIMSE on port $DICOM_PORT, $N processes; logs in $RUN"
grep -h -A1 "Password:" "$RUN"/telepacs*.log >&2 || true
wait
