#!/usr/bin/env bash
# Throw-away single-node Ceph cluster (1 mon, 1 mgr, 1 OSD, radosgw) for CI tests
# of the S3 BlobStore against a real S3-compatible server.  No systemd needed.
#
#   deploy/ceph-single-node.sh install   # apt-get install the Ceph packages (Debian 12: 16.2.x "pacific")
#   deploy/ceph-single-node.sh start     # start (or reuse) the cluster; prints S3_* env lines on stdout
#   deploy/ceph-single-node.sh stop      # kill the daemons and delete all cluster data
#   deploy/ceph-single-node.sh status
#
#   eval "$(deploy/ceph-single-node.sh start)"   # exports S3_ENDPOINT S3_ACCESS_KEY S3_SECRET_KEY S3_BUCKET ...
#
# Environment (all optional):
#   CEPH_DIR          cluster directory            (default ${TMPDIR:-/tmp}/ceph-single-node)
#   CEPH_OSD_BACKEND  memstore | file | loop       (default memstore)
#                       memstore = Ceph's in-RAM test object store: fastest start (~2 s), no disk or privileges
#                       file     = BlueStore on a sparse regular file in CEPH_DIR (~7 s; no privileges; the
#                                  filesystem must support O_DIRECT - tmpfs only on Linux >= 6.6)
#                       loop     = BlueStore on a loop device over that file (~8 s; needs root + losetup)
#                     RGW/S3 behaviour is the same for all three; the data is discarded on stop anyway.
#   CEPH_OSD_SIZE     capacity of the OSD, bytes or with G suffix (default 10G; the BlueStore file is sparse,
#                     memstore only uses RAM for what is actually stored)
#   CEPH_MON_V2_PORT / CEPH_MON_V1_PORT   monitor ports  (default 3300 / 6789)
#   RGW_PORT          radosgw HTTP port            (default 7480)
#   S3_ACCESS_KEY / S3_SECRET_KEY / S3_BUCKET / S3_REGION   credentials and bucket to create
#   CEPH_START_TIMEOUT  seconds to wait for each daemon (default 120)
#
# Caveats of the Ceph version in Debian 12 (16.2.15):
#   * x-amz-checksum-* headers are accepted but neither verified nor stored/returned.
#   * aws-chunked uploads with trailing checksums (STREAMING-UNSIGNED-PAYLOAD-TRAILER, which
#     @aws-sdk/client-s3 >= 3.729 sends for stream bodies by default) fail with 411 MissingContentLength;
#     configure the client with requestChecksumCalculation: 'WHEN_REQUIRED' and do not set
#     ChecksumAlgorithm on stream bodies.
#   * CompleteMultipartUpload returns an empty <ETag/> (HeadObject returns the right "<md5>-N" ETag).
set -euo pipefail

CEPH_DIR=${CEPH_DIR:-${TMPDIR:-/tmp}/ceph-single-node}
BACKEND=${CEPH_OSD_BACKEND:-memstore}
OSD_SIZE=${CEPH_OSD_SIZE:-10G}
MON_V2_PORT=${CEPH_MON_V2_PORT:-3300}
MON_V1_PORT=${CEPH_MON_V1_PORT:-6789}
RGW_PORT=${RGW_PORT:-7480}
S3_ACCESS_KEY=${S3_ACCESS_KEY:-ciaccesskey0000000000}
S3_SECRET_KEY=${S3_SECRET_KEY:-cisecretkey00000000000000000000000000000}
S3_BUCKET=${S3_BUCKET:-ci-blobs}
S3_REGION=${S3_REGION:-us-east-1}
TIMEOUT=${CEPH_START_TIMEOUT:-120}

CONF=$CEPH_DIR/ceph.conf
ENDPOINT=http://127.0.0.1:$RGW_PORT
DAEMONS="client.rgw.gw osd.0 mgr.x mon.a"
EMPTY_SHA256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855

log() { echo "[ceph-single-node] $*" >&2; }
die() {  # print log tails, kill what was started (the logs stay in $CEPH_DIR until the next start/stop)
  log "ERROR: $*"
  for f in "$CEPH_DIR"/log/*.log; do [ -f "$f" ] && { log "--- tail $f"; tail -n 15 "$f" >&2; }; done
  kill_daemons; exit 1
}
ceph_() { ceph -c "$CONF" --connect-timeout 10 "$@"; }

# poll "$@" every 0.2 s until it succeeds or TIMEOUT expires
wait_for() {
  local what=$1; shift
  local deadline=$((SECONDS + TIMEOUT))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || die "timed out after ${TIMEOUT}s waiting for $what"
    sleep 0.2
  done
}

pid_of() { local f=$CEPH_DIR/run/$1.pid; [ -s "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && cat "$f"; }

print_env() {
  cat <<EOF
S3_ENDPOINT=$ENDPOINT
S3_ACCESS_KEY=$S3_ACCESS_KEY
S3_SECRET_KEY=$S3_SECRET_KEY
S3_BUCKET=$S3_BUCKET
S3_REGION=$S3_REGION
S3_FORCE_PATH_STYLE=true
STORAGE_URL=s3://$S3_BUCKET/telepacs
AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY
AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY
EOF
}

s3_put_bucket() {  # SigV4-signed PUT /bucket with curl (>= 7.75); 200 = created, 409 = already ours
  local code
  code=$(curl -s -o "$CEPH_DIR/log/create-bucket.out" -w '%{http_code}' -X PUT \
    -H "x-amz-content-sha256: $EMPTY_SHA256" --aws-sigv4 "aws:amz:$S3_REGION:s3" --user "$S3_ACCESS_KEY:$S3_SECRET_KEY" "$ENDPOINT/$S3_BUCKET") || true
  [ "$code" = 200 ] || { [ "$code" = 409 ] && grep -q BucketAlreadyOwnedByYou "$CEPH_DIR/log/create-bucket.out"; }
}

osd_up() { ceph_ osd stat -f json | grep -q '"num_up_osds": *1'; }
rgw_up() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$ENDPOINT/")" = 200 ]; }

kill_daemons() {  # all data is thrown away, so no graceful shutdown: SIGKILL and wait until gone
  local name pid pids=""
  for name in $DAEMONS; do
    pid=$(pid_of "$name") && { kill -9 "$pid" 2>/dev/null || true; pids="$pids $pid"; }
  done
  for pid in $pids; do while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done; done
  if [ -s "$CEPH_DIR/loopdev" ]; then
    losetup -d "$(cat "$CEPH_DIR/loopdev")" 2>/dev/null || true
    rm -f "$CEPH_DIR/loopdev"
  fi
}

do_stop() { kill_daemons; rm -rf "$CEPH_DIR"; }

do_start() {
  for b in ceph ceph-mon ceph-mgr ceph-osd radosgw radosgw-admin ceph-authtool monmaptool curl uuidgen; do
    command -v "$b" >/dev/null || die "$b not found (run: $0 install)"
  done
  # Already running and healthy? Just print the env again.
  if [ -f "$CONF" ] && pid_of mon.a >/dev/null && pid_of osd.0 >/dev/null && pid_of client.rgw.gw >/dev/null \
     && rgw_up && s3_put_bucket; then
    log "already running in $CEPH_DIR"; print_env; return 0
  fi
  [ -e "$CEPH_DIR" ] && { log "removing stale/partial cluster in $CEPH_DIR"; do_stop; }

  local t0=$SECONDS D=$CEPH_DIR fsid
  fsid=$(uuidgen)
  mkdir -p "$D"/{log,run,crash,mon/a,mgr/x,osd/0,rgw}
  case $BACKEND in
    file|loop) local store=bluestore ;;
    memstore)  local store=memstore ;;
    *) die "unknown CEPH_OSD_BACKEND=$BACKEND" ;;
  esac
  local size_bytes=$OSD_SIZE
  case $OSD_SIZE in *[gG]) size_bytes=$(( ${OSD_SIZE%[gG]} * 1024 * 1024 * 1024 )) ;; esac

  cat > "$CONF" <<EOF
[global]
fsid = $fsid
mon host = [v2:127.0.0.1:$MON_V2_PORT,v1:127.0.0.1:$MON_V1_PORT]
public network = 127.0.0.0/8
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
keyring = $D/keyring
log file = $D/log/\$name.log
admin socket = $D/run/\$name.asok
pid file = $D/run/\$name.pid
run dir = $D/run
crash dir = $D/crash
log to stderr = false
err to stderr = true
ms bind ipv6 = false
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon warn on insecure global id reclaim allowed = false
mon data avail warn = 1
mon data avail crit = 0
osd pool default size = 1
osd pool default min size = 1
osd pool default pg autoscale mode = off
osd pool default pg num = 8
osd pool default pgp num = 8
osd crush chooseleaf type = 0
# faster map updates (each pool rgw creates is one osdmap epoch; default propose interval is 1 s)
paxos propose interval = 0.05
paxos min wait = 0.01
mon osd full ratio = 0.99
[mon.a]
mon data = $D/mon/a
[mgr.x]
mgr data = $D/mgr/x
keyring = $D/mgr/x/keyring
[osd.0]
osd data = $D/osd/0
keyring = $D/osd/0/keyring
osd objectstore = $store
osd memory target = 1073741824
bluestore block create = true
bluestore block size = $size_bytes
bluestore fsck on mount = false
memstore device bytes = $size_bytes
[client.rgw.gw]
rgw data = $D/rgw
keyring = $D/rgw/keyring
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT tcp_nodelay=1
EOF

  # --- monitor
  ceph-authtool --create-keyring "$D/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  ceph-authtool "$D/keyring" --gen-key -n client.admin \
    --cap mon 'allow *' --cap osd 'allow *' --cap mds 'allow *' --cap mgr 'allow *' >/dev/null
  monmaptool --create --clobber --fsid "$fsid" \
    --addv a "[v2:127.0.0.1:$MON_V2_PORT,v1:127.0.0.1:$MON_V1_PORT]" "$D/monmap" >/dev/null
  ceph-mon -c "$CONF" -i a --mkfs --monmap "$D/monmap" --keyring "$D/keyring" || die "ceph-mon --mkfs failed"
  ceph-mon -c "$CONF" -i a 2>>"$D/log/mon.a.stderr.log" || die "ceph-mon failed to start"
  wait_for "mon" ceph_ mon stat
  log "mon up ($((SECONDS - t0))s)"

  # --- manager (not needed by rgw; started for completeness, not waited for)
  ceph_ auth get-or-create mgr.x mon 'allow profile mgr' osd 'allow *' mds 'allow *' -o "$D/mgr/x/keyring"
  ceph-mgr -c "$CONF" -i x 2>>"$D/log/mgr.x.stderr.log" || die "ceph-mgr failed to start"

  # --- OSD
  local uuid key
  uuid=$(uuidgen); key=$(ceph-authtool --gen-print-key)
  printf '{"cephx_secret": "%s"}' "$key" > "$D/osd/0/new.json"
  ceph_ osd new "$uuid" -i "$D/osd/0/new.json" >/dev/null
  ceph-authtool --create-keyring "$D/osd/0/keyring" --name osd.0 --add-key "$key" >/dev/null
  if [ "$BACKEND" = loop ]; then
    truncate -s "$size_bytes" "$D/osd.img"
    losetup -f --show "$D/osd.img" > "$D/loopdev" || die "losetup failed"
    ln -s "$(cat "$D/loopdev")" "$D/osd/0/block"
  fi
  ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$uuid" >"$D/log/osd-mkfs.out" 2>&1 \
    || { cat "$D/log/osd-mkfs.out" >&2; die "ceph-osd --mkfs failed"; }
  ceph-osd -c "$CONF" -i 0 2>>"$D/log/osd.0.stderr.log" || die "ceph-osd failed to start"
  wait_for "osd.0 up" osd_up
  log "osd up ($((SECONDS - t0))s, backend $BACKEND)"

  # --- radosgw
  ceph_ auth get-or-create client.rgw.gw mon 'allow rw' osd 'allow rwx' mgr 'allow rw' -o "$D/rgw/keyring"
  radosgw -c "$CONF" -n client.rgw.gw 2>>"$D/log/rgw.stderr.log" || die "radosgw failed to start"
  wait_for "radosgw on $ENDPOINT" rgw_up
  log "rgw up ($((SECONDS - t0))s)"

  radosgw-admin -c "$CONF" user create --uid=ci --display-name=CI \
    --access-key="$S3_ACCESS_KEY" --secret-key="$S3_SECRET_KEY" >/dev/null || die "radosgw-admin user create failed"
  wait_for "bucket $S3_BUCKET" s3_put_bucket
  log "ready in $((SECONDS - t0))s: $ENDPOINT bucket $S3_BUCKET"
  print_env
}

case ${1:-} in
  start)  do_start ;;
  stop)   do_stop; log "stopped" ;;
  status) if [ -f "$CONF" ]; then ceph_ -s; rgw_up && log "rgw answering on $ENDPOINT"; else log "not running"; exit 1; fi ;;
  install)
    export DEBIAN_FRONTEND=noninteractive
    pkgs="ceph-mon ceph-osd ceph-mgr radosgw ceph-common curl uuid-runtime"
    apt-get install -y --no-install-recommends --no-upgrade $pkgs || { apt-get update && apt-get install -y --no-install-recommends --no-upgrade $pkgs; } ;;
  *) echo "usage: $0 start|stop|status|install" >&2; exit 2 ;;
esac
