#!/usr/bin/env bash
# The 100,000-answer figures: seed a database once, then measure (bench/scale.py).
#   bench/scale.sh            # seeds qasite_bench100k when it is missing or short (about 10 minutes)
#   DB=qasite_bench100k ROUNDS=20 bench/scale.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DB=${DB:-qasite_bench100k}
COUNT=${COUNT:-100000}
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/$DB}
# As in production: DEBUG off (no query log), and no page cache, so that every request
# pays for its queries.
export DEBUG=0 SECRET_KEY=bench-only-not-a-secret-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
export ALLOWED_HOSTS=testserver SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 SECURE_HSTS_SECONDS=0
export PUBLIC_PAGE_CACHE=0 PAGE_CACHE_DIR=${PAGE_CACHE_DIR:-/tmp/qasite-bench-pages}
seeded=$(psql "$DATABASE_URL" -Atc "select count(*) from answers_answer" 2>/dev/null || echo 0)
if [ "$seeded" -lt "$COUNT" ]; then
  # Missing, or left half-made by an interrupted seed: start again.
  dropdb -h 127.0.0.1 -U postgres --if-exists "$DB"
  createdb -h 127.0.0.1 -U postgres "$DB"
  .venv/bin/python manage.py migrate -v0
  DEBUG=1 .venv/bin/python manage.py create_demo_accounts
  time .venv/bin/python manage.py seed_answers --count "$COUNT"
  # Compacted as a long-lived database is: the seed updates rows it has just written.
  psql "$DATABASE_URL" -c "VACUUM FULL ANALYZE" >/dev/null
  # VACUUM FULL leaves the visibility map empty; autovacuum fills it in a live database,
  # and without it no count can be an index-only scan.
  psql "$DATABASE_URL" -c "VACUUM ANALYZE" >/dev/null
fi
.venv/bin/python manage.py collectstatic --no-input -v0
.venv/bin/python bench/scale.py
