#!/usr/bin/env bash
# Starts the site from a fresh clone: installs what is missing (eng/install-prereqs.sh, idempotent), then runs
# `dotnet run --project src/Rlhf.Web` with this script's arguments passed on, e.g. ./eng/run.sh --urls http://0.0.0.0:8080
# The address is --urls, else the Urls setting (appsettings.json), else ASPNETCORE_URLS, else http://localhost:5040.
set -euo pipefail
cd "$(dirname "$0")/.."
bash eng/install-prereqs.sh
exec dotnet run --project src/Rlhf.Web -- "$@"
