#!/usr/bin/env bash
# Time `seed_mali`: the first load into a freshly migrated database, then the second run (a
# no-op). Uses a throw-away SQLite file unless BENCH_DATABASE_URL names another database.
set -euo pipefail
cd "$(dirname "$0")/.."
workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT
export DEBUG=1 DATABASE_URL="${BENCH_DATABASE_URL:-sqlite:///$workdir/seed.sqlite3}"
.venv/bin/python manage.py migrate --noinput -v0
echo "first run:  $(.venv/bin/python manage.py seed_mali | tail -n 1)"
echo "second run: $(.venv/bin/python manage.py seed_mali | tail -n 1)"
