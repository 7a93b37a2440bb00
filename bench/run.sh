#!/usr/bin/env bash
# The public pages under load, beside what they are measured against: nginx serving a
# static copy (the ceiling), Varnish in front of the app, a minimal Django view (the
# floor) and a Wagtail page with the same text. All run at once; bench/measure.py then
# loads them in turn, several rounds, and reports medians and ratios within the run.
# One command: bench/run.sh (as root, for apt, like make test). See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=$(mktemp -d /tmp/qasite-bench.XXXX)
chmod 755 "$WORK" # Varnish's worker runs as its own user and needs to reach its directory
export BENCH_SECONDS=${BENCH_SECONDS:-10} BENCH_ROUNDS=${BENCH_ROUNDS:-6} BENCH_CONNECTIONS=16
export BENCH_ROOT_PID=$$ BENCH_JSON=${BENCH_JSON:-$ROOT/bench/results/latest.json}
export PORT_APP=18090 PORT_NGINX=18091 PORT_VARNISH=18092 PORT_OFF=18093 PORT_FLOOR=18094 \
  PORT_WAGTAIL=18095
export VARNISH_DIR=$WORK/varnish QUERIES_FILE=$WORK/queries.jsonl
DB=qasite_bench
PG=postgres://postgres@127.0.0.1:5432
# Every gunicorn alike: what `gunicorn` does by default on two cores, spelled out.
GUNICORN_ARGS=(--workers 2 --worker-class sync --error-logfile -)
PY=.venv/bin/python
WAGTAIL_PY=bench/wagtail/.venv/bin/python

for tool in wrk nginx varnishd; do
  command -v "$tool" >/dev/null || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx varnish
  }
done
make --no-print-directory install postgres varnish >/dev/null

# Nothing else shares these: a Redis database of its own, emptied by bench/queries.py.
COMMON=(DEBUG=0 ALLOWED_HOSTS=127.0.0.1 LOG_LEVEL=WARNING
  SECRET_KEY="bench-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')")
APP=(env "${COMMON[@]}" DATABASE_URL="$PG/$DB" REDIS_URL=redis://127.0.0.1:6379/13
  PAGE_CACHE_DIR="$WORK/page-cache" DJANGO_SETTINGS_MODULE=qasite.settings PYTHONPATH="$ROOT")
OFF=("${APP[@]}" DATABASE_URL="$PG/${DB}_off" PUBLIC_PAGE_CACHE=0)
FLOOR=(env "${COMMON[@]}" DATABASE_URL="$PG/${DB}_floor" DJANGO_SETTINGS_MODULE=floor.settings
  PYTHONPATH="$ROOT/bench/floor")
WAGTAIL=(env "${COMMON[@]}" DATABASE_URL="$PG/${DB}_wagtail"
  DJANGO_SETTINGS_MODULE=benchsite.settings PYTHONPATH="$ROOT/bench/wagtail")

PIDS=()
cleanup() {
  local status=$?
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "$status" != 0 ]; then # keep the servers' logs of a failed run
    mkdir -p "$ROOT/bench/results/failed" && cp "$WORK"/*.log "$ROOT/bench/results/failed/" 2>/dev/null
    echo "Failed; the servers' logs are in bench/results/failed/"
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

started() { # NAME URL: wait until URL answers 200, or show NAME's log and stop
  for _ in $(seq 150); do
    curl -sf -o /dev/null -H "X-Forwarded-Proto: https" "$2" && return 0
    sleep 0.2
  done
  echo "$1 did not start:"
  tail -20 "$WORK/$1.log"
  exit 1
}

fresh_db() { dropdb -h 127.0.0.1 -U postgres --if-exists "$1" && createdb -h 127.0.0.1 -U postgres "$@"; }

# Others commit to this tree while it runs: say which code was measured.
APP_FILES=(answers citations qasite templates static requirements.txt deploy)
echo "qasite at $(git log -1 --format='%h (%ad) %s' --date=iso | cut -c1-110)"
git diff --quiet HEAD -- "${APP_FILES[@]}" || {
  echo "with uncommitted changes to:"
  git diff --stat HEAD -- "${APP_FILES[@]}" | sed '$d'
}
export BENCH_COMMIT="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- "${APP_FILES[@]}" || echo +changes)"
echo "Machine: $(nproc) CPUs ($(lscpu | sed -n 's/^Model name: *//p')), load average $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== Data"
if [ "${BENCH_REUSE_DB:-0}" = 1 ] && psql -h 127.0.0.1 -U postgres -lqt | cut -d'|' -f1 | grep -qw "$DB"; then
  echo "Reusing database $DB (BENCH_REUSE_DB=1)"
  "${APP[@]}" $PY manage.py migrate -v0
else
  echo "Database $DB with ${BENCH_ANSWERS:-1000} published answers…"
  fresh_db "$DB"
  "${APP[@]}" $PY manage.py migrate -v0
  "${APP[@]}" $PY bench/seed.py
fi
"${APP[@]}" $PY manage.py load_demo_content --editor bench-editor --reviewer bench-reviewer
# Fresh tables have no planner statistics yet; a live database would.
vacuumdb -h 127.0.0.1 -U postgres --analyze --quiet "$DB"
"${APP[@]}" $PY manage.py collectstatic --no-input -v0
# The cache-off app gets a copy, so that PostgreSQL counts its queries apart.
fresh_db "${DB}_off" -T "$DB"
ANSWER=$("${APP[@]}" $PY -c 'import django; django.setup()
from answers.models import Answer
print(Answer.objects.published().get(question__slug__startswith="are-car-t").get_absolute_url())')
export ANSWER_PATH=$ANSWER TOPIC_PATH=/topics/topic-3/

echo "== Wagtail"
if [ ! -f bench/wagtail/.venv/.installed ] || [ bench/wagtail/requirements.txt -nt bench/wagtail/.venv/.installed ]; then
  python3.11 -m venv bench/wagtail/.venv
  bench/wagtail/.venv/bin/pip install --quiet -r bench/wagtail/requirements.txt
  touch bench/wagtail/.venv/.installed
fi
fresh_db "${DB}_wagtail"
"${WAGTAIL[@]}" $WAGTAIL_PY bench/wagtail/manage.py migrate -v0
"${APP[@]}" $PY bench/demo_page.py >"$WORK/answer.json"
"${WAGTAIL[@]}" $WAGTAIL_PY bench/wagtail/manage.py load_answer_page "$WORK/answer.json"
export WAGTAIL_PATH=/$($PY -c 'import json, sys; print(json.load(sys.stdin)["slug"])' <"$WORK/answer.json")/

echo "== Servers"
"${APP[@]}" .venv/bin/gunicorn qasite.wsgi --bind 127.0.0.1:$PORT_APP "${GUNICORN_ARGS[@]}" >"$WORK/app.log" 2>&1 &
PIDS+=($!)
"${OFF[@]}" .venv/bin/gunicorn qasite.wsgi --bind 127.0.0.1:$PORT_OFF "${GUNICORN_ARGS[@]}" >"$WORK/off.log" 2>&1 &
PIDS+=($!)
"${WAGTAIL[@]}" bench/wagtail/.venv/bin/gunicorn benchsite.wsgi --bind 127.0.0.1:$PORT_WAGTAIL "${GUNICORN_ARGS[@]}" >"$WORK/wagtail.log" 2>&1 &
PIDS+=($!)
started app "http://127.0.0.1:$PORT_APP$ANSWER"
started off "http://127.0.0.1:$PORT_OFF$ANSWER"
started wagtail "http://127.0.0.1:$PORT_WAGTAIL$WAGTAIL_PATH"

# The answer page exactly as the app sends it: nginx's file and the floor's stored row.
mkdir -p "$WORK/static$ANSWER"
curl -sf -H "X-Forwarded-Proto: https" "http://127.0.0.1:$PORT_APP$ANSWER" >"$WORK/static${ANSWER}index.html"
fresh_db "${DB}_floor"
"${FLOOR[@]}" $PY bench/floor/manage.py migrate -v0
"${FLOOR[@]}" $PY bench/floor/manage.py store_page "$ANSWER" "$WORK/static${ANSWER}index.html"
"${FLOOR[@]}" .venv/bin/gunicorn floor.wsgi --bind 127.0.0.1:$PORT_FLOOR "${GUNICORN_ARGS[@]}" >"$WORK/floor.log" 2>&1 &
PIDS+=($!)
started floor "http://127.0.0.1:$PORT_FLOOR$ANSWER"

cat >"$WORK/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK; proxy_temp_path $WORK; fastcgi_temp_path $WORK;
  uwsgi_temp_path $WORK; scgi_temp_path $WORK;
  server { listen 127.0.0.1:$PORT_NGINX; root $WORK/static; default_type text/html; }
}
NGINX
nginx -c "$WORK/nginx.conf" -p "$WORK" >"$WORK/nginx.log" 2>&1 &
PIDS+=($!)
started nginx "http://127.0.0.1:$PORT_NGINX$ANSWER"

# The deployment's own VCL, pointed at the benchmark's app server.
VCL=deploy/varnish/default.vcl
[ -f "$VCL" ] || { echo "$VCL is missing: the Varnish target needs it"; exit 1; }
sed -E '/^backend /,/^}/ s/\.port = "[0-9]+"/.port = "'$PORT_APP'"/' "$VCL" >"$WORK/varnish.vcl"
if git ls-files --error-unmatch "$VCL" >/dev/null 2>&1 && git diff --quiet HEAD -- "$VCL"; then
  vcl_state="as committed in $(git log -1 --format=%h -- "$VCL")"
else
  vcl_state="not committed"
fi
echo "Varnish: $VCL ($vcl_state, sha256 $(sha256sum "$VCL" | cut -c1-12)), backend on port $PORT_APP"
varnishd -C -f "$WORK/varnish.vcl" -n "$VARNISH_DIR" >/dev/null 2>"$WORK/vcl-check.log" || {
  grep -v '^\s*$' "$WORK/vcl-check.log" | head -20
  exit 1
}
varnishd -F -f "$WORK/varnish.vcl" -n "$VARNISH_DIR" -a 127.0.0.1:$PORT_VARNISH -s malloc,256m \
  >"$WORK/varnish.log" 2>&1 &
PIDS+=($!)
started varnish "http://127.0.0.1:$PORT_VARNISH$ANSWER"

echo "== Checks"
check() { # NAME URL: a 200 with the answer's text in it; print its size and cache headers
  local headers="$WORK/$1.headers" body="$WORK/$1.body"
  curl -s -D "$headers" -o "$body" -H "X-Forwarded-Proto: https" "$2"
  grep -q "^HTTP/1.1 200" "$headers" || { echo "$1: not a 200"; head -1 "$headers"; exit 1; }
  printf "%-8s %7s bytes  %s\n" "$1" "$(wc -c <"$body")" \
    "$(grep -iE '^(x-cache|age|cache-control):' "$headers" | tr -d '\r' | tr '\n' ' ')"
}
for name in nginx varnish app off floor wagtail; do
  port_var=PORT_${name^^}
  url="http://127.0.0.1:${!port_var}$ANSWER"
  [ "$name" = wagtail ] && url="http://127.0.0.1:$PORT_WAGTAIL$WAGTAIL_PATH"
  check "$name" "$url"
  grep -q "CAR-T cell therap" "$WORK/$name.body" || { echo "$name: not the demo answer"; exit 1; }
done
check home "http://127.0.0.1:$PORT_APP/"
# A browser's or a CDN's revalidation: the ETag it holds, answered 304.
export ANSWER_ETAG=$(grep -i '^etag:' "$WORK/app.headers" | cut -d' ' -f2- | tr -d '\r')
code=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Forwarded-Proto: https" \
  -H "If-None-Match: $ANSWER_ETAG" "http://127.0.0.1:$PORT_APP$ANSWER")
[ "$code" = 304 ] || { echo "304: the app answered $code to its own ETag"; exit 1; }
echo "304      the answer page's ETag $ANSWER_ETAG answered $code"
check topic "http://127.0.0.1:$PORT_APP$TOPIC_PATH"
cmp -s "$WORK/floor.body" "$WORK/app.body" || echo "note: the floor's page differs from the app's"

# Before the load: these empty the page cache, which the warm-up then fills.
{
  "${APP[@]}" $PY bench/queries.py warm "$ANSWER" home / topic "$TOPIC_PATH"
  "${OFF[@]}" $PY bench/queries.py --cache-off off "$ANSWER"
  "${FLOOR[@]}" $PY bench/queries.py floor "$ANSWER"
  "${WAGTAIL[@]}" $WAGTAIL_PY bench/queries.py wagtail "$WAGTAIL_PATH"
} >"$QUERIES_FILE"
cat "$QUERIES_FILE"

echo "== Load ($(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg))"
mkdir -p "$(dirname "$BENCH_JSON")"
$PY bench/measure.py
