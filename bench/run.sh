#!/usr/bin/env bash
# The public pages under load, side by side with nginx serving a static copy of the
# answer page (the ceiling). One command: bench/run.sh (needs root for apt, like make test).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=$(mktemp -d /tmp/qasite-bench.XXXX)
DB=qasite_bench
APP_PORT=8090
STATIC_PORT=8091
DURATION=${BENCH_SECONDS:-15}
CONNECTIONS=${BENCH_CONNECTIONS:-16}
WORKERS=${BENCH_WORKERS:-3}

for tool in wrk nginx; do
  command -v "$tool" >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx; }
done
make --no-print-directory install postgres >/dev/null

export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB" DEBUG=0 \
  SECRET_KEY="bench-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
  ALLOWED_HOSTS=127.0.0.1 LOG_LEVEL=WARNING
PY=.venv/bin/python

cleanup() { kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

if [ "${BENCH_REUSE_DB:-0}" = 1 ] && psql -h 127.0.0.1 -U postgres -lqt | cut -d'|' -f1 | grep -qw "$DB"; then
  echo "Reusing database $DB (BENCH_REUSE_DB=1)"
  $PY manage.py migrate -v0
else
  echo "Database $DB with ${BENCH_ANSWERS:-1000} published answers…"
  dropdb -h 127.0.0.1 -U postgres --if-exists "$DB"
  createdb -h 127.0.0.1 -U postgres "$DB"
  $PY manage.py migrate -v0
  $PY bench/seed.py
fi
# Fresh tables have no planner statistics yet; a live database would.
vacuumdb -h 127.0.0.1 -U postgres --analyze --quiet "$DB"
$PY manage.py collectstatic --no-input -v0

.venv/bin/gunicorn qasite.wsgi --bind 127.0.0.1:$APP_PORT --workers "$WORKERS" \
  --access-logfile /dev/null --error-logfile "$WORK/gunicorn.log" &
for _ in $(seq 50); do curl -sf -o /dev/null -H "X-Forwarded-Proto: https" "http://127.0.0.1:$APP_PORT/" && break; sleep 0.2; done

ANSWER=/ask/question-500/
mkdir -p "$WORK/static/ask/question-500"
curl -sf -H "X-Forwarded-Proto: https" "http://127.0.0.1:$APP_PORT$ANSWER" > "$WORK/static/ask/question-500/index.html"
cat > "$WORK/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK; proxy_temp_path $WORK; fastcgi_temp_path $WORK;
  uwsgi_temp_path $WORK; scgi_temp_path $WORK;
  server { listen 127.0.0.1:$STATIC_PORT; root $WORK/static; default_type text/html; }
}
NGINX
nginx -c "$WORK/nginx.conf" -p "$WORK" &
for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$STATIC_PORT$ANSWER" && break; sleep 0.2; done

declare -A URLS=(
  [static]="http://127.0.0.1:$STATIC_PORT$ANSWER"
  [answer]="http://127.0.0.1:$APP_PORT$ANSWER"
  [home]="http://127.0.0.1:$APP_PORT/"
  [topic]="http://127.0.0.1:$APP_PORT/topics/topic-3/"
  [search]="http://127.0.0.1:$APP_PORT/search/?q=relapse+remission"
)
$PY bench/queries.py answer "$ANSWER" home / topic /topics/topic-3/ search "/search/?q=relapse+remission" > "$WORK/queries"

echo
echo "wrk: $CONNECTIONS connections, ${DURATION}s each, gunicorn with $WORKERS workers, $(nproc) cores"
printf "%-8s %10s %10s %10s %8s %10s\n" page "req/s" "p50" "p99" queries "vs static"
static_rps=""
for name in static answer home topic search; do
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "X-Forwarded-Proto: https" "${URLS[$name]}")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  [ -n "$errors" ] && { echo "$name: $errors non-2xx responses"; exit 1; }
  [ "$name" = static ] && static_rps=$rps
  queries=$(awk -v n="$name" '$1 == n {print $2}' "$WORK/queries")
  ratio=$(awk -v a="$rps" -v b="$static_rps" 'BEGIN {printf "%.1f%%", 100 * a / b}')
  printf "%-8s %10s %10s %10s %8s %10s\n" "$name" "$rps" "$p50" "$p99" "${queries:--}" "$ratio"
done
