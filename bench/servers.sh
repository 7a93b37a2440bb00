#!/usr/bin/env bash
# The app's warm answer page under several production WSGI servers, beside nginx serving
# the same page as a file: gunicorn's sync worker (what the deployment runs today), its
# gthread worker and Granian, each with 2 workers. bench/servers.py first compares what
# each server sends for the answer page and its neighbours with gunicorn sync's, then
# loads them in interleaved rounds, with and without "Connection: close".
# One command: bench/servers.sh (as root, for apt). See bench/README.md, "WSGI servers".
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=$(mktemp -d /tmp/qasite-servers.XXXX)
export BENCH_SECONDS=${BENCH_SECONDS:-10} BENCH_ROUNDS=${BENCH_ROUNDS:-6} BENCH_CONNECTIONS=16
export BENCH_ROOT_PID=$$ BENCH_JSON=${BENCH_JSON:-$ROOT/bench/results/servers.json}
export PORT_NGINX=18190 PORT_SYNC=18191 PORT_GTHREAD=18192 PORT_GRANIAN=18193
DB=qasite_bench_servers
PG=postgres://postgres@127.0.0.1:5432
PY=.venv/bin/python
GTHREADS=${BENCH_GTHREADS:-4}
# Granian is not in requirements.txt unless it is what the deployment runs.
GRANIAN=granian==2.8.7

for tool in wrk nginx; do
  command -v "$tool" >/dev/null || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx
  }
done
make --no-print-directory install postgres >/dev/null
$PY -c "import importlib.metadata as m, sys; sys.exit(m.version('granian') != '${GRANIAN#*==}')" \
  2>/dev/null || .venv/bin/pip install --quiet "$GRANIAN"

COMMON=(DEBUG=0 ALLOWED_HOSTS=127.0.0.1 LOG_LEVEL=WARNING
  SECRET_KEY="bench-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')")
# A Redis database of its own (12), emptied below.
APP=(env "${COMMON[@]}" DATABASE_URL="$PG/$DB" REDIS_URL=redis://127.0.0.1:6379/12
  PAGE_CACHE_DIR="$WORK/page-cache" DJANGO_SETTINGS_MODULE=qasite.settings PYTHONPATH="$ROOT")

PIDS=()
cleanup() {
  local status=$?
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "$status" != 0 ]; then
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

APP_FILES=(answers citations delivery patient_site desk qasite templates static requirements.txt)
echo "qasite at $(git log -1 --format='%h (%ad) %s' --date=iso | cut -c1-110)"
git diff --quiet HEAD -- "${APP_FILES[@]}" || {
  echo "with uncommitted changes to:"
  git diff --stat HEAD -- "${APP_FILES[@]}" | sed '$d'
}
export BENCH_COMMIT="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- "${APP_FILES[@]}" || echo +changes)"
echo "Machine: $(nproc) CPUs ($(lscpu | sed -n 's/^Model name: *//p')), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Servers: gunicorn $(.venv/bin/gunicorn --version | cut -d' ' -f2-), granian $($PY -c 'import granian; print(granian.__version__)'), $(nginx -v 2>&1 | cut -d' ' -f3)"

echo "== Data"
if [ "${BENCH_REUSE_DB:-0}" = 1 ] && psql -h 127.0.0.1 -U postgres -lqt | cut -d'|' -f1 | grep -qw "$DB"; then
  echo "Reusing database $DB (BENCH_REUSE_DB=1)"
  "${APP[@]}" $PY manage.py migrate -v0
else
  echo "Database $DB with 1,000 answers (manage.py seed_answers)…"
  dropdb -h 127.0.0.1 -U postgres --if-exists "$DB" && createdb -h 127.0.0.1 -U postgres "$DB"
  "${APP[@]}" $PY manage.py migrate -v0
  "${APP[@]}" $PY manage.py seed_answers --count 1000 --topics 10 >/dev/null
fi
# The demo answer needs its writer and reviewer; their passwords are public, so the
# command asks for DEBUG=1 (the servers below run without it, and refuse those accounts).
"${APP[@]}" DEBUG=1 $PY manage.py create_demo_accounts >/dev/null
"${APP[@]}" $PY manage.py load_demo_content
vacuumdb -h 127.0.0.1 -U postgres --analyze --quiet "$DB"
"${APP[@]}" $PY manage.py collectstatic --no-input -v0
redis-cli -n 12 flushdb >/dev/null
ANSWER=$("${APP[@]}" $PY -c 'import django; django.setup()
from answers.models import Answer
print(Answer.objects.published().get(question__slug__startswith="are-car-t").get_absolute_url())')
export ANSWER_PATH=$ANSWER

echo "== Servers"
GUNICORN=(.venv/bin/gunicorn qasite.wsgi --workers 2 --error-logfile -)
# Each server's process id (env runs it in its own place): servers.py counts the CPU time
# of its process tree.
"${APP[@]}" "${GUNICORN[@]}" --worker-class sync --bind 127.0.0.1:$PORT_SYNC >"$WORK/sync.log" 2>&1 &
PIDS+=($!) && export PID_SYNC=$!
"${APP[@]}" "${GUNICORN[@]}" --worker-class gthread --threads "$GTHREADS" \
  --bind 127.0.0.1:$PORT_GTHREAD >"$WORK/gthread.log" 2>&1 &
PIDS+=($!) && export PID_GTHREAD=$!
GRANIAN_ARGS=(--interface wsgi --workers 2 --host 127.0.0.1 --port $PORT_GRANIAN --no-ws)
# One request at a time a worker, as README.md deploys it (and as gunicorn's sync workers).
GRANIAN_ARGS+=(--blocking-threads "${BENCH_GRANIAN_THREADS:-1}")
"${APP[@]}" .venv/bin/granian "${GRANIAN_ARGS[@]}" qasite.wsgi:application >"$WORK/granian.log" 2>&1 &
PIDS+=($!) && export PID_GRANIAN=$!
export GTHREADS GRANIAN_THREADS=${BENCH_GRANIAN_THREADS:-1}
for name in sync gthread granian; do
  port_var=PORT_${name^^}
  started "$name" "http://127.0.0.1:${!port_var}$ANSWER"
done

# The answer page exactly as the app sends it, for nginx (one worker, as in bench/run.sh).
mkdir -p "$WORK/static$ANSWER"
curl -sf -H "X-Forwarded-Proto: https" "http://127.0.0.1:$PORT_SYNC$ANSWER" >"$WORK/static${ANSWER}index.html"
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
PIDS+=($!) && export PID_NGINX=$!
started nginx "http://127.0.0.1:$PORT_NGINX$ANSWER"

echo "== What each server sends, against gunicorn sync"
$PY bench/servers.py compare

echo "== Load ($(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg))"
mkdir -p "$(dirname "$BENCH_JSON")"
$PY bench/servers.py load
