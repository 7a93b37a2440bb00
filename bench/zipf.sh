#!/usr/bin/env bash
# Patients reading 100,000 answers through Varnish and the app while answers are approved:
# the hit ratio at each layer, PostgreSQL's transactions a second and p50/p99, with the
# approvals of today ("after": each purges what it changed) and of before surrogate keys
# (each purges every page), in one run. See bench/README.md, "Realistic load (issue 27)".
#   bench/zipf.sh                                   # as root; about 20 minutes
#   ZIPF_WARMUP_MINUTES=0.5 ZIPF_MINUTES=1 ZIPF_BEFORE_MINUTES=1 ZIPF_BURST_MINUTE=0 bench/zipf.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=$(mktemp -d /tmp/qasite-zipf.XXXX)
chmod 755 "$WORK" # Varnish's worker runs as its own user and needs to reach its directory
DB=${ZIPF_DB:-qasite_bench100k}
SEED_LOG=${ZIPF_SEED_LOG:-/tmp/seed100k.log}
PORT_APP=18590 PORT_VARNISH=18592
HOST=qasite.bench # the Host the load sends, and the one ALLOWED_HOSTS lets in
# Each answer page's compressed copy is about 4 KB (12 KB plain): 100,000 of them, the topic
# and search pages are a few hundred MB, well within this.
VARNISH_STORAGE=${ZIPF_VARNISH_STORAGE:-malloc,1024m}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=$ROOT/bench/results/zipf-$STAMP
PY=.venv/bin/python
LOAD_VENV=bench/results/zipf-venv # the load's own: aiohttp is no dependency of the site
export ZIPF_WARMUP_MINUTES=${ZIPF_WARMUP_MINUTES:-3} ZIPF_MINUTES=${ZIPF_MINUTES:-10}
export ZIPF_BEFORE_MINUTES=${ZIPF_BEFORE_MINUTES:-5} ZIPF_BURST_MINUTE=${ZIPF_BURST_MINUTE:-5}
export ZIPF_RATE=${ZIPF_RATE:-100} ZIPF_S=${ZIPF_S:-1.0} ZIPF_SEED=${ZIPF_SEED:-1}
export BENCH_ROOT_PID=$$ VARNISH_DIR=$WORK/varnish

for tool in varnishd varnishncsa redis-cli; do
  command -v "$tool" >/dev/null || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq varnish varnish-modules redis-tools
  }
done
make --no-print-directory install postgres varnish >/dev/null
if [ ! -f "$LOAD_VENV/.installed" ] || [ "$0" -nt "$LOAD_VENV/.installed" ]; then
  python3.11 -m venv "$LOAD_VENV"
  "$LOAD_VENV/bin/pip" install --quiet aiohttp==3.14.5 aiohappyeyeballs==2.7.1 \
    aiosignal==1.4.0 attrs==26.1.0 frozenlist==1.8.0 idna==3.21 multidict==7.2.1 \
    propcache==0.5.4 typing_extensions==4.16.0 yarl==1.25.1
  touch "$LOAD_VENV/.installed"
fi

if [ "$DB" = qasite_bench100k ] && [ -f "$SEED_LOG" ] && ! grep -q SEEDED "$SEED_LOG"; then
  echo "Waiting for the seed ($SEED_LOG) to say SEEDED…"
  until grep -q SEEDED "$SEED_LOG"; do sleep 10; done
fi
psql -h 127.0.0.1 -U postgres -lqt | cut -d'|' -f1 | grep -qw "$DB" || {
  echo "No database $DB: bench/scale.sh seeds qasite_bench100k (about 10 minutes)."
  exit 1
}

SECRET="bench-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
# The app and the approvals alike: the same Redis database and key prefix (from SECRET_KEY),
# so that an approval reaches the workers, and the same proxy to purge.
APP=(env DEBUG=0 SECRET_KEY="$SECRET" ALLOWED_HOSTS=$HOST LOG_LEVEL=WARNING
  DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB" REDIS_URL=redis://127.0.0.1:6379/11
  PROXY_PURGE_URLS=http://127.0.0.1:$PORT_VARNISH PAGE_CACHE_DIR="$WORK/page-cache"
  DJANGO_SETTINGS_MODULE=qasite.settings PYTHONPATH="$ROOT")
[ -n "${PROXY_CACHE_SECONDS:-}" ] && APP+=(PROXY_CACHE_SECONDS="$PROXY_CACHE_SECONDS")

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  mkdir -p "$OUT" && cp "$WORK"/*.log "$OUT/" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

started() { # NAME URL: wait until URL answers 200, or show NAME's log and stop
  for _ in $(seq 300); do
    curl -sf -o /dev/null -H "Host: $HOST" -H "X-Forwarded-Proto: https" "$2" && return 0
    sleep 0.2
  done
  echo "$1 did not start:"
  tail -20 "$WORK/$1.log"
  exit 1
}

APP_FILES=(answers citations delivery patient_site desk qasite templates static deploy bench)
echo "qasite at $(git log -1 --format='%h (%ad) %s' --date=iso | cut -c1-110)"
git diff --quiet HEAD -- "${APP_FILES[@]}" || {
  echo "with uncommitted changes to:"
  git diff --stat HEAD -- "${APP_FILES[@]}" | sed '$d'
}
export BENCH_COMMIT="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- "${APP_FILES[@]}" || echo +changes)"
echo "Machine: $(nproc) CPUs ($(lscpu | sed -n 's/^Model name: *//p')), load average $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== Data: $DB"
"${APP[@]}" $PY manage.py migrate -v0
"${APP[@]}" $PY manage.py collectstatic --no-input -v0
redis-cli -n 11 flushdb >/dev/null
mkdir -p "$OUT"
"${APP[@]}" $PY bench/approvals.py pages "$OUT/pages.json"

echo "== Servers"
for port in $PORT_APP $PORT_VARNISH; do
  ! ss -Hltn "sport = :$port" | grep -q . || { echo "Port $port is in use: who?"; exit 1; }
done
"${APP[@]}" .venv/bin/gunicorn qasite.wsgi --bind 127.0.0.1:$PORT_APP --workers 2 \
  --worker-class sync --error-logfile - >"$WORK/app.log" 2>&1 &
PIDS+=($!)
started app "http://127.0.0.1:$PORT_APP/robots.txt"
# The deployment's own VCL, pointed at this app server.
VCL=deploy/varnish/default.vcl
sed -E '/^backend /,/^}/ s/\.port = "[0-9]+"/.port = "'$PORT_APP'"/' "$VCL" >"$WORK/varnish.vcl"
echo "Varnish: $VCL (sha256 $(sha256sum "$VCL" | cut -c1-12)), -s $VARNISH_STORAGE"
# timeout_idle: Varnish closes a keep-alive connection idle for 5 s by default; a client
# reusing one just then sees it closed. nginx in front keeps its own; here, 60 s.
varnishd -F -f "$WORK/varnish.vcl" -n "$VARNISH_DIR" -a 127.0.0.1:$PORT_VARNISH \
  -s "$VARNISH_STORAGE" -p timeout_idle=60 >"$WORK/varnish.log" 2>&1 &
PIDS+=($!)
started varnish "http://127.0.0.1:$PORT_VARNISH/robots.txt"
# Every fetch from the app: when, its status, the app's own X-Cache, fetch or bgfetch, the
# microseconds it took, URL.
varnishncsa -n "$VARNISH_DIR" -b -w "$OUT/backend.log" \
  -F '%{sec}t.%{msec_frac}t %s %{X-Cache}o %{VSL:Begin[3]}x %D %U%q' &
PIDS+=($!)

echo "== Load (load average $(cut -d' ' -f1-3 /proc/loadavg))"
export ZIPF_T0=$(($(date +%s) + 10)) # time for both to start
"${APP[@]}" $PY bench/approvals.py run "$OUT/pages.json" "$OUT/approvals.jsonl" \
  >"$WORK/approvals.log" 2>&1 &
PIDS+=($!)
ZIPF_URL=http://127.0.0.1:$PORT_VARNISH ZIPF_HOST=$HOST ZIPF_DB=$DB \
  PROXY_CACHE_SECONDS=${PROXY_CACHE_SECONDS:-300} \
  "$LOAD_VENV/bin/python" bench/zipf.py run "$OUT/pages.json" "$OUT"
varnishstat -n "$VARNISH_DIR" -1 >"$OUT/varnishstat.txt"
grep -E '^(MAIN\.(n_object|n_lru_nuked|cache_hit|cache_miss|backend_req|sess_queued|sess_dropped)|SMA\.s0\.g_bytes) ' \
  "$OUT/varnishstat.txt"
nuked=$(awk '$1 == "MAIN.n_lru_nuked" {print $2}' "$OUT/varnishstat.txt")
[ "${nuked:-0}" = 0 ] || echo "Varnish evicted $nuked objects: its storage ($VARNISH_STORAGE) was too small"
ln -sfn "$(basename "$OUT")" bench/results/zipf-latest
echo "Every request, fetch and approval: $OUT ($PY is not needed to report again:"
echo "  $LOAD_VENV/bin/python bench/zipf.py report $OUT)"
