#!/usr/bin/env bash
# Adds an EF Core migration to the top-level migrations/ folder: eng/add-migration.sh <Name>
# (dotnet ef writes the model snapshot under the project when it sits outside it; this moves it back.)
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 1 ] || { echo "usage: eng/add-migration.sh <MigrationName>"; exit 2; }
dotnet tool restore >/dev/null
dotnet ef migrations add "$1" --project src/Rlhf.Data --output-dir ../../migrations --namespace Rlhf.Data.Migrations
if [ -f src/Rlhf.Data/Rlhf/Data/Migrations/RlhfDbContextModelSnapshot.cs ]; then
  mv src/Rlhf.Data/Rlhf/Data/Migrations/RlhfDbContextModelSnapshot.cs migrations/RlhfDbContextModelSnapshot.cs
  rm -rf src/Rlhf.Data/Rlhf
fi
echo "migration $1 added to migrations/"
