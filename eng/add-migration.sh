#!/usr/bin/env bash
# Adds an EF Core migration for both database providers: eng/add-migration.sh <Name>
#   SQLite (RlhfDbContext)             -> the top-level migrations/ folder
#   PostgreSQL (PostgresRlhfDbContext) -> migrations/Postgres
# (One context type per provider, as EF Core documents for several providers. dotnet ef writes the model snapshot
# under the project when the output folder sits outside it; this moves it back.)
# Only one provider: eng/add-migration.sh <Name> sqlite|postgres
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: eng/add-migration.sh <MigrationName> [sqlite|postgres]"; exit 2; }
name=$1; only=${2:-both}
dotnet tool restore >/dev/null

add() { # context, output folder under migrations/, namespace suffix
  local context=$1 folder=$2 ns=$3
  dotnet ef migrations add "$name" --project src/Rlhf.Data --context "$context" \
    --output-dir "../../migrations$folder" --namespace "Rlhf.Data.Migrations$ns"
  local snapshot
  snapshot=$(find src/Rlhf.Data/Rlhf -name "${context}ModelSnapshot.cs" 2>/dev/null | head -1 || true)
  if [ -n "$snapshot" ]; then mv "$snapshot" "migrations$folder/${context}ModelSnapshot.cs"; fi
  rm -rf src/Rlhf.Data/Rlhf
  echo "migration $name added to migrations$folder/ ($context)"
}
case "$only" in
  both) add RlhfDbContext "" ""; add PostgresRlhfDbContext "/Postgres" ".Postgres" ;;
  sqlite) add RlhfDbContext "" "" ;;
  postgres) add PostgresRlhfDbContext "/Postgres" ".Postgres" ;;
  *) echo "usage: eng/add-migration.sh <MigrationName> [sqlite|postgres]"; exit 2 ;;
esac
