#!/usr/bin/env bash
# Time `generate_demo` (default 50,000 organisations, seed 42) on top of the Mali seed, then
# `generate_demo --delete`. Uses a throw-away SQLite file unless BENCH_DATABASE_URL names another
# database (PostgreSQL: BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_demo; the
# database must exist and is left with the seed only).
set -euo pipefail
cd "$(dirname "$0")/.."
organisations="${1:-50000}"
workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT
export DEBUG=1 DATABASE_URL="${BENCH_DATABASE_URL:-sqlite:///$workdir/demo.sqlite3}"
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py seed_mali >/dev/null
.venv/bin/python manage.py generate_demo --delete >/dev/null
echo "database: ${DATABASE_URL%%:*}, $(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg)"
started=$(date +%s%N)
.venv/bin/python manage.py generate_demo --organisations "$organisations" --seed 42
echo "generate_demo wall time with start-up: $(( ($(date +%s%N) - started) / 1000000 )) ms"
started=$(date +%s%N)
.venv/bin/python manage.py generate_demo --delete
echo "generate_demo --delete wall time with start-up: $(( ($(date +%s%N) - started) / 1000000 )) ms"
