#!/usr/bin/env bash
# Regenerate apps/api/app/migrations/versions/0001_initial_schema.py from the models.
# Allowed only while no release exists; afterwards add new revisions instead.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin}
DB=swa_migration_gen_$$
psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $DB"
trap 'psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $DB"' EXIT
rm -f apps/api/app/migrations/versions/0001_initial_schema.py
cd apps/api
DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/$DB \
  ../../$PY/alembic revision --autogenerate -m "initial schema" --rev-id 0001 >/dev/null
echo "regenerated apps/api/app/migrations/versions/0001_initial_schema.py"
