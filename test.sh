#!/usr/bin/env bash
# Runs the whole test suite: every storage test on SQLite and on PostgreSQL. With no PATCHBAY_TEST_POSTGRES set,
# the PostgreSQL half starts its own throwaway server from the installed PostgreSQL binaries.
#   ./test.sh                                              everything
#   ./test.sh --filter "FullyQualifiedName!~Postgres"      the SQLite half only
set -euo pipefail
cd "$(dirname "$0")"
exec dotnet test --solution Patchbay.slnx "$@"
