#!/usr/bin/env bash
# Starts Patchbay on http://localhost:8080 with its embedded SQLite database in ./data.
# Settings come from src/Patchbay.Server/appsettings.json and Patchbay__* environment variables (see README).
set -euo pipefail
cd "$(dirname "$0")"
export Patchbay__DataDirectory="${Patchbay__DataDirectory:-$PWD/data}"
exec dotnet run --project src/Patchbay.Server -c Release -- "$@"
