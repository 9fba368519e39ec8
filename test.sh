#!/usr/bin/env bash
# Runs the whole test suite: every storage test on SQLite and on PostgreSQL. With no PATCHBAY_TEST_POSTGRES set,
# the PostgreSQL half starts its own throwaway server from the installed PostgreSQL binaries.
#   ./test.sh                                              everything
#   ./test.sh --filter "FullyQualifiedName!~Postgres"      the SQLite half only
set -euo pipefail
cd "$(dirname "$0")"

# The SDK compatibility test runs Refold's published frontend SDK (npm) in Node against a live server.
command -v npm >/dev/null || { echo "test.sh: Node.js 20 and npm are required (the SDK compatibility test)" >&2; exit 1; }
# npm's own output is shown only when it fails: the run's output is the tests' results.
quietly() { local out; out=$("$@" 2>&1) || { printf '%s\n' "$out" >&2; return 1; }; }
quietly npm ci --prefix tests/sdk --no-audit --no-fund --loglevel=error
# The MCP endpoint is tested with the official MCP TypeScript client (npm) as well as the C# one.
quietly npm ci --prefix tests/mcp --no-audit --no-fund --loglevel=error

# The hosted Connect page is tested in Debian's headless Chromium, driven by playwright-core (npm); the guides'
# worked examples are run as pasted, with curl and jq.
MISSING=()
[ -x /usr/bin/chromium ] || MISSING+=(chromium chromium-driver)
command -v curl >/dev/null || MISSING+=(curl)
command -v jq >/dev/null || MISSING+=(jq)
if [ ${#MISSING[@]} -gt 0 ]; then
  echo "test.sh: installing Debian's ${MISSING[*]} for the browser and documentation tests" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${MISSING[@]}" >/dev/null \
    || { $SUDO apt-get update -q >/dev/null && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${MISSING[@]}" >/dev/null; }
fi
quietly npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error

exec dotnet test --solution Patchbay.slnx "$@"
