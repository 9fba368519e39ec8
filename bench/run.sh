#!/usr/bin/env bash
# Patchbay benchmark: starts the Release server on SQLite and on PostgreSQL, plus a bare Kestrel endpoint as the
# baseline, drives each with wrk, prints a table and records it in docs/benchmarks.md.
#
#   bench/run.sh                    # both databases, 10 s per scenario
#   DURATION=30s bench/run.sh       # longer runs
#   DATABASES=sqlite bench/run.sh   # one database
#   LABEL="After issue 5" bench/run.sh   # the heading of the recorded table
#   SCENARIOS=workflows bench/run.sh     # only the workflow engine (or: api, configs, webhooks, tables, audit, actions, mcp, cluster)
#   SCENARIOS=actions bench/run.sh       # action execute (AC3) against Stripe's API faked on loopback
#   SCENARIOS=mcp bench/run.sh           # the MCP endpoint: tools/list, tools/call of an action and of a workflow
#   FANOUT=1 SCENARIOS=webhooks bench/run.sh   # subscriptions per event in the webhook scenario (default 4)
#   SCENARIOS=tables TABLE_ROWS=20000 RECORD=0 bench/run.sh   # a smoke run of the table scenarios, not recorded
#   SCENARIOS=audit bench/run.sh         # audited writes (change + entry in one transaction) and reading the audit trail
#   SCENARIOS=cluster bench/run.sh       # the cost of cluster-wide rate limits: authenticated GET with limits on vs off
#   PATCHBAY_BENCH_POSTGRES="Host=…;Username=…;Password=…;Database=…" bench/run.sh   # your own PostgreSQL
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DURATION=${DURATION:-10s}
# Long enough for tiered JIT to reach steady state (shorter warm-ups measured the JIT, not the server).
WARMUP=${WARMUP:-20s}
LABEL=${LABEL:-Run}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
DATABASES=${DATABASES:-"sqlite postgres"}
SCENARIOS=${SCENARIOS:-"api workflows configs webhooks tables audit actions mcp cluster"}   # SCENARIOS=workflows bench/run.sh: the workflow engine only
TABLE_ROWS=${TABLE_ROWS:-1000000}   # rows of the table the search scenarios run on
TABLE_COLUMNS=${TABLE_COLUMNS:-10}  # its columns (email, stage, score, then c4…)
RECORD=${RECORD:-1}                 # 0: print the table, do not write docs/benchmarks.md
PORT=${PORT:-18080}
BASE_PORT=${BASE_PORT:-18090}
WORK=$(mktemp -d /tmp/patchbay-bench.XXXXXX)
chmod 755 "$WORK"
RESULTS="$WORK/results.tsv"
: > "$RESULTS"
PIDS=()
PG_DATA=""

cleanup() {
  for pid in "${PIDS[@]:-}"; do kill "$pid" 2>/dev/null || true; done
  if [ -n "$PG_DATA" ]; then as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

need() { command -v "$1" >/dev/null 2>&1; }
if ! need wrk; then
  echo "Installing wrk (Debian package)…"
  if [ "$(id -u)" = 0 ]; then apt-get install -y wrk >/dev/null || (apt-get update >/dev/null && apt-get install -y wrk >/dev/null)
  else sudo apt-get install -y wrk >/dev/null; fi
fi

as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

for p in "$PORT" "$BASE_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "port $p is already in use (set PORT/BASE_PORT)" >&2; exit 1; fi
done

echo "Building (Release)…"
dotnet publish src/Patchbay.Server -c Release -o "$WORK/server" --nologo -v quiet >/dev/null
dotnet publish bench/Baseline -c Release -o "$WORK/baseline" --nologo -v quiet >/dev/null

wait_http() { for _ in $(seq 1 150); do curl -sf "$1" >/dev/null 2>&1 && return 0; sleep 0.2; done; echo "timed out waiting for $1" >&2; return 1; }

# wrk prints "Requests/sec: N" and, with --latency, "50% 1.23ms" / "99% 4.56ms".
run_wrk() { # name url [extra wrk args…]
  local name=$1 url=$2; shift 2
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$@" "$url" >/dev/null 2>&1 || true   # warm-up
  local out; out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$url")
  local rps p50 p99 non2xx
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$rps" "$p50" "$p99" "${non2xx:-0}" >> "$RESULTS"
  printf '  %-48s %10s req/s  p50 %-9s p99 %-9s errors %s\n' "$name" "$rps" "$p50" "$p99" "${non2xx:-0}"
}

lua() { # method body -> script path
  local f="$WORK/$RANDOM.lua"
  printf 'wrk.method = "%s"\nwrk.body = [[%s]]\nwrk.headers["Content-Type"] = "application/json"\n' "$1" "$2" > "$f"
  echo "$f"
}

echo "Baseline: bare Kestrel endpoint"
ASPNETCORE_URLS="http://127.0.0.1:$BASE_PORT" "$WORK/baseline/Baseline" >/dev/null 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$BASE_PORT/"
run_wrk "baseline: bare Kestrel GET" "http://127.0.0.1:$BASE_PORT/"

start_postgres() {
  if [ -n "${PATCHBAY_BENCH_POSTGRES:-}" ]; then PG_CS=$PATCHBAY_BENCH_POSTGRES; return; fi
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -x "$PG_BIN/initdb" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }
  PG_DATA="$WORK/pg"
  mkdir -p "$PG_DATA"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$PG_DATA" "$WORK"
  as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -A trust -E UTF8 --locale=C >/dev/null
  local pgport=$((PORT + 100))
  # Durable defaults (fsync, synchronous_commit on): the numbers are what a production server would see.
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$WORK/pg.log" -w \
    -o "-p $pgport -k $WORK -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=256MB" start >/dev/null
  PG_CS="Host=127.0.0.1;Port=$pgport;Username=postgres;Database=postgres;Maximum Pool Size=64"
}

bench_patchbay() { # database
  local db=$1 cs provider
  if [ "$db" = sqlite ]; then provider=Sqlite; cs="Data Source=$WORK/data-sqlite/patchbay.db"
  else start_postgres; provider=Postgres; cs=$PG_CS; fi
  local key="tk$(cat /proc/sys/kernel/random/uuid)"
  echo "Patchbay on $db"
  ( cd "$WORK" && exec env \
    Patchbay__DataDirectory="$WORK/data-$db" Patchbay__Database__Provider=$provider Patchbay__Database__ConnectionString="$cs" \
    Patchbay__Bootstrap__TestApiKey="$key" Patchbay__RateLimits__Enabled=false \
    Patchbay__Tables__MaxRows=$((TABLE_ROWS + 100000)) Patchbay__Tables__MaxColumns=$((TABLE_COLUMNS > 20 ? TABLE_COLUMNS : 20)) \
    Patchbay__Apps__Overrides__stripe__BaseUrl="http://127.0.0.1:$BASE_PORT" Patchbay__Egress__AllowedNetworks__0=127.0.0.0/8 \
    Logging__LogLevel__Default=Warning Logging__Console__FormatterName=simple \
    ASPNETCORE_URLS="http://127.0.0.1:$PORT" "$WORK/server/Patchbay.Server" >"$WORK/server-$db.log" 2>&1 ) &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$PORT/readyz"
  local base="http://127.0.0.1:$PORT/api/v2/public"
  local account="bench_$RANDOM"
  curl -sf -X POST "$base/linked-account" -H "x-api-key: $key" -H 'content-type: application/json' \
    -d "{\"linked_account_id\":\"$account\",\"name\":\"Bench\",\"udf\":{\"plan\":\"pro\"},\"your_app\":{\"auth_credentials\":{\"api_key\":\"seed\"}}}" >/dev/null
  local token; token=$(curl -sf -X POST "$base/session-token" -H "x-api-key: $key" -H 'content-type: application/json' \
    -d "{\"linked_account_id\":\"$account\"}" | sed -E 's/.*"token":"([^"]+)".*/\1/')

  # The whole server warms up once before anything is timed (tiered JIT takes ~20 s under full load here).
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$base/linked-account/$account" -H "x-api-key: $key" >/dev/null 2>&1 || true
  if [[ " $SCENARIOS " == *" api "* ]]; then
  run_wrk "$db: GET linked account (API key)" "$base/linked-account/$account" -H "x-api-key: $key"
  run_wrk "$db: GET active-linked-account (session)" "$base/session/active-linked-account" -H "Authorization: Bearer $token"
  run_wrk "$db: POST session-token" "$base/session-token" -H "x-api-key: $key" -s "$(lua POST "{\"linked_account_id\":\"$account\"}")"
  # Each request writes one of 10,000 credential keys: concurrent writes to one row would measure row-lock waits.
  local put; put=$(lua PUT '{"value":"rotated-secret-value"}')
  printf 'request = function()\n  return wrk.format(nil, "/api/v2/public/linked-account/default-app/auth-credentials/key" .. math.random(1, 10000))\nend\n' >> "$put"
  run_wrk "$db: PUT default-app credential" "$base/linked-account/default-app/auth-credentials/key" \
    -H "x-api-key: $key" -H "linked_account_id: $account" -s "$put"

  run_wrk "$db: GET application list (API key)" "$base/application" -H "x-api-key: $key" -H "linked_account_id: $account"
  # Each request verifies the key against the provider (the baseline process's /v1/account) and stores it sealed,
  # for one of 200 linked accounts (customers connecting, not one row rewritten under lock contention).
  for i in $(seq 1 200); do
    curl -sf -X POST "$base/linked-account" -H "x-api-key: $key" -H 'content-type: application/json' \
      -d "{\"linked_account_id\":\"bench_$i\"}" >/dev/null
  done
  local save; save=$(lua PUT '{"api_key":"sk_test_bench"}')
  printf 'request = function()\n  wrk.headers["linked_account_id"] = "bench_" .. math.random(1, 200)\n  return wrk.format()\nend\n' >> "$save"
  run_wrk "$db: PUT save-key-credentials (stripe)" "$base/linked-account/integration/save-key-credentials/stripe" \
    -H "x-api-key: $key" -s "$save"

  fi
  if [[ " $SCENARIOS " == *" workflows "* ]]; then bench_workflows "$db" "$key" "$account"; fi
  if [[ " $SCENARIOS " == *" configs "* ]]; then bench_configs "$db" "$key" "$account"; fi
  if [[ " $SCENARIOS " == *" webhooks "* ]]; then bench_webhooks "$db" "$key" "$account"; fi
  if [[ " $SCENARIOS " == *" tables "* ]]; then bench_tables "$db" "$key" "$account"; fi
  if [[ " $SCENARIOS " == *" audit "* ]]; then bench_audit "$db" "$key"; fi
  if [[ " $SCENARIOS " == *" actions "* ]]; then bench_actions "$db" "$key" "$account"; fi
  if [[ " $SCENARIOS " == *" mcp "* ]]; then bench_mcp "$db" "$key" "$account"; fi
  if [[ " $SCENARIOS " == *" cluster "* ]]; then bench_cluster "$db" "$provider" "$cs" "$key" "$account"; fi

  kill "${PIDS[-1]}" 2>/dev/null || true; wait "${PIDS[-1]}" 2>/dev/null || true
  ! curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 || { echo "the $db server did not stop" >&2; exit 1; }
  unset 'PIDS[-1]'
}

# Cluster-wide rate limits: the same authenticated GET on the server above (limits off) and on a second node of the
# same database with the limits on but raised out of reach (every request still takes a token, from its node's share:
# on PostgreSQL the two servers make a cluster of two, so each enforces half). The ratio is the limiter's cost.
bench_cluster() { # database provider connection-string key account
  local db=$1 provider=$2 cs=$3 key=$4 account=$5 port=$((PORT + 2))
  local off on
  run_wrk "$db: GET linked account, rate limits off" "http://127.0.0.1:$PORT/api/v2/public/linked-account/$account" -H "x-api-key: $key"
  off=$(tail -1 "$RESULTS" | cut -f2)
  ( cd "$WORK" && exec env \
    Patchbay__DataDirectory="$WORK/data-$db" Patchbay__Database__Provider=$provider Patchbay__Database__ConnectionString="$cs" \
    Patchbay__Workers__Enabled=false Patchbay__RateLimits__Enabled=true Patchbay__Cluster__SharedRateLimits=true \
    Patchbay__RateLimits__PermitsPerSecond=1000000000 Patchbay__RateLimits__Burst=1000000000 \
    Logging__LogLevel__Default=Warning Logging__Console__FormatterName=simple \
    ASPNETCORE_URLS="http://127.0.0.1:$port" "$WORK/server/Patchbay.Server" >"$WORK/server-$db-limits.log" 2>&1 ) &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$port/readyz"
  sleep 3 # the new node has heartbeated and counted the cluster
  run_wrk "$db: GET linked account, cluster rate limits on" "http://127.0.0.1:$port/api/v2/public/linked-account/$account" -H "x-api-key: $key"
  on=$(tail -1 "$RESULTS" | cut -f2)
  kill "${PIDS[-1]}" 2>/dev/null || true; wait "${PIDS[-1]}" 2>/dev/null || true
  unset 'PIDS[-1]'
  local ratio; ratio=$(awk -v a="$on" -v b="$off" 'BEGIN { printf "%.1f%%", (b > 0 ? 100 * (1 - a / b) : 0) }')
  # The cost goes into the "on" row's name (the table's columns are rates and latencies).
  awk -F'\t' -v OFS='\t' -v r="$ratio" 'NR == n { $1 = $1 " (cost vs off: " r ")" } { print }' n="$(wc -l < "$RESULTS")" "$RESULTS" > "$RESULTS.tmp"
  mv "$RESULTS.tmp" "$RESULTS"
  printf '  %-48s %10s\n' "$db: cluster rate limits cost (1 - on/off)" "$ratio"
}

# Workflows: a 3-node workflow (start → code → response), executed synchronously (latency) and asynchronously
# (executions completed per second, from the first request until the queue is drained).
bench_workflows() { # database key account
  local db=$1 key=$2 account=$3 base="http://127.0.0.1:$PORT"
  local h=(-H "x-api-key: $key" -H "linked_account_id: $account" -H 'content-type: application/json')
  local draft; draft=$(curl -sf -X POST "$base/api/v2/public/workflow" "${h[@]}" -d '{"name":"Bench flow"}' | sed -E 's/.*"workflow":\{"_id":"([^"]+)".*/\1/')
  curl -sf -X PUT "$base/api/v2/public/workflow/$draft" "${h[@]}" -d '{"nodes":[{"id":"start","type":"start"},
    {"id":"calc","type":"code","data":{"code":"return { total: payload.amount * 2, tag: \"bench\" };"}},
    {"id":"out","type":"response","data":{"body":{"total":"{{nodes.calc.output.total}}"}}}],
    "edges":[{"source":"start","target":"calc"},{"source":"calc","target":"out"}]}' >/dev/null
  local version; version=$(curl -sf -X PUT "$base/api/v2/public/workflow/$draft/publish" "${h[@]}" -d '{"published":true}' | sed -E 's/^\{"_id":"([^"]+)".*/\1/')
  local exec="$base/api/v2/public/workflow/$version/execute"
  # Latency of one caller at a time (no queueing in the figure), then throughput under the usual 32 connections.
  THREADS=1 CONNECTIONS=1 run_wrk "$db: POST execute, sync, 1 connection (3-node workflow)" "$exec" "${h[@]}" -H "slug: custom" -H "sync_execution: true" -s "$(lua POST '{"amount":21}')"
  run_wrk "$db: POST execute, sync, $CONNECTIONS connections" "$exec" "${h[@]}" -H "slug: custom" -H "sync_execution: true" -s "$(lua POST '{"amount":21}')"

  count() { curl -sf "$base/api/v2/public/execution?workflow_id=$draft&execution_type=ASYNC&status=$1&limit=1" -H "x-api-key: $key" | sed -E 's/.*"totalDocs":([0-9]+).*/\1/'; }
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "${h[@]}" -H "slug: custom" -s "$(lua POST '{"amount":1}')" "$exec" >/dev/null 2>&1 || true
  while [ "$(count RUNNING)" != 0 ]; do sleep 0.2; done
  local before; before=$(count COMPLETED)
  local t0; t0=$(date +%s.%N)
  local out; out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "${h[@]}" -H "slug: custom" -s "$(lua POST '{"amount":1}')" "$exec")
  while [ "$(count RUNNING)" != 0 ]; do sleep 0.1; done
  local t1; t1=$(date +%s.%N)
  local after; after=$(count COMPLETED)
  local rate; rate=$(awk -v n=$((after - before)) -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')
  local p50 p99; p50=$(awk '$1=="50%" {print $2}' <<<"$out"); p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  printf '%s\t%s\t%s\t%s\t%s\n' "$db: async executions completed/s (3-node workflow)" "$rate" "$p50" "$p99" "$(count ERRORED)" >> "$RESULTS"
  printf '  %-48s %10s exec/s  p50 %-9s p99 %-9s errored %s\n' "$db: async executions completed/s" "$rate" "$p50" "$p99" "$(count ERRORED)"
}

# Configs: Stripe with three app-level fields (text, select, number) and one public workflow; get-or-create of an
# existing config (what the frontend SDK's config() does on every page load), and setting one field's value in one of
# 200 named configs (one config rewritten under lock contention would measure row-lock waits).
bench_configs() { # database key account
  local db=$1 key=$2 account=$3 base="http://127.0.0.1:$PORT"
  local org=(-H "x-api-key: $key" -H 'content-type: application/json')
  local h=(-H "x-api-key: $key" -H "linked_account_id: $account" -H 'content-type: application/json')
  curl -sf -X POST "$base/api/patchbay/v1/apps/stripe/config-fields" "${org[@]}" -d '{"name":"Channel","field_type":"text"}' >/dev/null
  curl -sf -X POST "$base/api/patchbay/v1/apps/stripe/config-fields" "${org[@]}" \
    -d '{"name":"Stage","field_type":"select","options":[{"name":"Won","value":"won"},{"name":"Lost","value":"lost"}]}' >/dev/null
  local field; field=$(curl -sf -X POST "$base/api/patchbay/v1/apps/stripe/config-fields" "${org[@]}" -d '{"name":"Limit","field_type":"number"}' \
    | sed -E 's/.*"id":"([^"]+)".*/\1/')
  local draft; draft=$(curl -sf -X POST "$base/api/v2/public/workflow" "${org[@]}" -d '{"name":"Bench sync","slug":"stripe"}' | sed -E 's/.*"workflow":\{"_id":"([^"]+)".*/\1/')
  curl -sf -X PUT "$base/api/v2/public/workflow/$draft/publish" "${org[@]}" -d '{"published":true}' >/dev/null
  curl -sf -X POST "$base/api/v2/public/config" "${h[@]}" -d '{"slug":"stripe"}' >/dev/null
  for i in $(seq 1 200); do curl -sf -X POST "$base/api/v2/public/config" "${h[@]}" -d "{\"slug\":\"stripe\",\"config_id\":\"c$i\"}" >/dev/null; done
  run_wrk "$db: POST config (get-or-create, existing)" "$base/api/v2/public/config" "${h[@]}" -s "$(lua POST '{"slug":"stripe"}')"
  local put; put=$(lua PUT '{"value":42}')
  printf 'request = function()\n  return wrk.format(nil, "/api/v2/public/config/field/%s?config_id=c" .. math.random(1, 200))\nend\n' "$field" >> "$put"
  run_wrk "$db: PUT config field value" "$base/api/v2/public/config/field/$field" "${h[@]}" -H "slug: stripe" -s "$put"
}

# Webhooks: signed deliveries per second to a local receiver (the baseline process's /hook), end to end. Each
# synchronous execution of start → response returns the client's send time `t` (ms); its "Workflow Completed" event
# goes through the outbox, the fan-out and a signed delivery (both signatures) whose custom body carries `t` back, so
# the receiver measures state change → arrival. Deliveries/s are counted at the receiver, first to last arrival.
bench_webhooks() { # database key account
  local db=$1 key=$2 account=$3 base="http://127.0.0.1:$PORT" hook="http://127.0.0.1:$BASE_PORT/hook"
  local h=(-H "x-api-key: $key" -H "linked_account_id: $account" -H 'content-type: application/json')
  local draft; draft=$(curl -sf -X POST "$base/api/v2/public/workflow" "${h[@]}" -d '{"name":"Webhook bench"}' | sed -E 's/.*"workflow":\{"_id":"([^"]+)".*/\1/')
  curl -sf -X PUT "$base/api/v2/public/workflow/$draft" "${h[@]}" -d '{"nodes":[{"id":"start","type":"start"},
    {"id":"out","type":"response","data":{"body":"{{payload.t}}"}}],"edges":[{"source":"start","target":"out"}]}' >/dev/null
  local version; version=$(curl -sf -X PUT "$base/api/v2/public/workflow/$draft/publish" "${h[@]}" -d '{"published":true}' | sed -E 's/^\{"_id":"([^"]+)".*/\1/')
  # FANOUT subscriptions listen to the event (each state change is FANOUT deliveries), so the figure measures the
  # delivery path rather than how fast executions can change state.
  for _ in $(seq 1 "${FANOUT:-4}"); do
    curl -sf -X POST "$base/api/v2/public/webhook" -H "x-api-key: $key" -H 'content-type: application/json' \
      -d "{\"webhook_url\":\"$hook\",\"webhook_events\":[\"Workflow Completed\"],\"webhook_type\":\"custom\",\"webhook_body\":{\"t\":\"{{workflow_response}}\"},\"workflow_ids\":[\"$draft\"]}" >/dev/null
  done
  local script="$WORK/hook-$RANDOM.lua"
  cat > "$script" <<'LUA'
local ffi = require("ffi")
ffi.cdef[[ typedef struct { long tv_sec; long tv_usec; } timeval; int gettimeofday(timeval *tv, void *tz); ]]
local tv = ffi.new("timeval")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  ffi.C.gettimeofday(tv, nil)
  return wrk.format(nil, nil, nil, string.format('{"t":%d}', tonumber(tv.tv_sec) * 1000 + math.floor(tonumber(tv.tv_usec) / 1000)))
end
LUA
  local exec="$base/api/v2/public/workflow/$version/execute"
  drain() { local last=-1 now; while true; do now=$(curl -sf "$hook/stats" | sed -E 's/.*"count":([0-9]+).*/\1/'); [ "$now" = "$last" ] && break; last=$now; sleep 2; done; }
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "${h[@]}" -H "slug: custom" -H "sync_execution: true" -s "$script" "$exec" >/dev/null 2>&1 || true
  drain
  curl -sf -X DELETE "$hook" >/dev/null
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "${h[@]}" -H "slug: custom" -H "sync_execution: true" -s "$script" "$exec" >/dev/null
  drain
  local stats; stats=$(curl -sf "$hook/stats")
  local rate p50 p99 unsigned count
  rate=$(sed -E 's/.*"per_second":([0-9.]+).*/\1/' <<<"$stats"); count=$(sed -E 's/.*"count":([0-9]+).*/\1/' <<<"$stats")
  p50=$(sed -E 's/.*"p50_ms":([0-9]+).*/\1/' <<<"$stats")ms; p99=$(sed -E 's/.*"p99_ms":([0-9]+).*/\1/' <<<"$stats")ms
  unsigned=$(sed -E 's/.*"unsigned":([0-9]+).*/\1/' <<<"$stats")
  printf '%s\t%s\t%s\t%s\t%s\n' "$db: signed webhook deliveries/s, ${FANOUT:-4} per event (state change → arrival)" "$rate" "$p50" "$p99" "$unsigned" >> "$RESULTS"
  printf '  %-48s %10.0f deliveries/s  p50 %-9s p99 %-9s (%s deliveries, %s unsigned)\n' "$db: signed webhook deliveries/s" "$rate" "$p50" "$p99" "$count" "$unsigned"
}

# Audit: an audited write (a linked account upsert: the row and its audit entry in one transaction, for one of 200
# accounts), then reading the audit trail (the newest 10 entries of one account, of one event, among everything the
# run wrote).
bench_audit() { # database key
  local db=$1 key=$2 base="http://127.0.0.1:$PORT/api/v2/public"
  for i in $(seq 1 200); do
    curl -sf -X POST "$base/linked-account" -H "x-api-key: $key" -H 'content-type: application/json' -d "{\"linked_account_id\":\"audit_$i\"}" >/dev/null
  done
  local put; put=$(lua PUT '')
  printf 'request = function()\n  return wrk.format(nil, nil, nil, string.format([[{"linked_account_id":"audit_%%d","name":"Renamed %%d"}]], math.random(1, 200), math.random(1, 1000000)))\nend\n' >> "$put"
  run_wrk "$db: PUT linked account (audited upsert)" "$base/linked-account" -H "x-api-key: $key" -s "$put"
  run_wrk "$db: GET audit-trails (one account, one event)" \
    "$base/audit/audit-trails?linked_account_id=audit_7&event=Linked%20Account%20Updated" -H "x-api-key: $key"
}

# Actions: AC3 executes per second, each one a real provider call (the baseline process's Stripe API on loopback,
# answering at once): the account's connection read and its key opened, the request rendered and sent through the
# egress policy, the answer returned. The named action get_customer, then the generic HTTP Request.
bench_actions() { # database key account
  local db=$1 key=$2 account=$3 base="http://127.0.0.1:$PORT"
  local h=(-H "x-api-key: $key" -H "linked_account_id: $account" -H 'content-type: application/json')
  curl -sf -X PUT "$base/api/v2/public/linked-account/integration/save-key-credentials/stripe" "${h[@]}" -d '{"api_key":"sk_test_bench"}' >/dev/null
  local url="$base/api/v2/integration-schema/stripe/actions"
  # Every answer is a 200 (a provider error is a result too): check once that the provider call itself succeeds.
  local check; check=$(curl -sf -X POST "$url/get_customer/execute" "${h[@]}" -d '{"customer_id":"cus_bench"}')
  [[ "$check" == *'"node_status":"Success"'* ]] || { echo "the action did not reach the provider: $check" >&2; exit 1; }
  run_wrk "$db: POST action execute (stripe get_customer)" "$url/get_customer/execute" "${h[@]}" -s "$(lua POST '{"customer_id":"cus_bench"}')"
  run_wrk "$db: POST action execute (httprequest GET /v1/account)" "$url/httprequest/execute" "${h[@]}" \
    -s "$(lua POST '{"method":"GET","path":"/v1/account"}')"
}

# MCP: one server of the account with two tools, Stripe's get_customer action (the baseline process answers it at
# once, with the account's key) and a 2-node workflow (start → response), opened with a dedicated MCP token over
# Streamable HTTP (protocol 2025-11-25, stateless: no initialize needed per request). tools/list, then tools/call of
# each: p50/p99 and calls/s, token check, tool-call log entry and all.
bench_mcp() { # database key account
  local db=$1 key=$2 account=$3 base="http://127.0.0.1:$PORT"
  local h=(-H "x-api-key: $key" -H "linked_account_id: $account" -H 'content-type: application/json')
  curl -sf -X PUT "$base/api/v2/public/linked-account/integration/save-key-credentials/stripe" "${h[@]}" -d '{"api_key":"sk_test_bench"}' >/dev/null
  local draft; draft=$(curl -sf -X POST "$base/api/v2/public/workflow" "${h[@]}" -d '{"name":"MCP bench"}' | sed -E 's/.*"workflow":\{"_id":"([^"]+)".*/\1/')
  curl -sf -X PUT "$base/api/v2/public/workflow/$draft" "${h[@]}" -d '{"nodes":[{"id":"start","type":"start"},
    {"id":"out","type":"response","data":{"body":{"greeting":"hello {{payload.name}}"}}}],"edges":[{"source":"start","target":"out"}]}' >/dev/null
  curl -sf -X PUT "$base/api/v2/public/workflow/$draft/publish" "${h[@]}" -d '{"published":true}' >/dev/null
  local server; server=$(curl -sf -X POST "$base/api/v2/public/mcp-servers" "${h[@]}" -d '{"name":"Bench","description":"bench"}' | sed -E 's/.*"_id":"([^"]+)".*/\1/')
  curl -sf -X PUT "$base/api/v2/public/mcp-servers/$server" "${h[@]}" \
    -d "{\"associated_apps\":[{\"slug\":\"stripe\",\"actions\":[\"get_customer\"]},{\"slug\":\"custom\",\"workflows\":[\"$draft\"]}]}" >/dev/null
  local token; token=$(curl -sf -X POST "$base/api/patchbay/v1/mcp-servers/$server/tokens" "${h[@]}" -d '{}' | sed -E 's/.*"token":"([^"]+)".*/\1/')
  local m=(-H "Authorization: Bearer $token" -H 'Accept: application/json, text/event-stream' -H 'MCP-Protocol-Version: 2025-11-25')
  local url="$base/mcp/v1/$server"
  run_wrk "$db: MCP tools/list (2 tools)" "$url" "${m[@]}" -s "$(lua POST '{"jsonrpc":"2.0","id":1,"method":"tools/list"}')"
  run_wrk "$db: MCP tools/call, action (provider answers at once)" "$url" "${m[@]}" \
    -s "$(lua POST '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"stripe_get_customer_action","arguments":{"customer_id":"cus_bench"}}}')"
  run_wrk "$db: MCP tools/call, workflow (2 nodes, sync)" "$url" "${m[@]}" \
    -s "$(lua POST '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"custom_mcp_bench_workflow","arguments":{"name":"bench"}}}')"
  # The log's newest 1000 calls: all of them must have succeeded (a tool error is still HTTP 200 for wrk).
  local log; log=$(curl -sf "$base/api/patchbay/v1/mcp-servers/$server/tool-calls?limit=1000" "${h[@]}")
  echo "  (newest 1000 logged tool calls: $(grep -o '"status":"success"' <<<"$log" | wc -l) succeeded, $(grep -o '"status":"error"' <<<"$log" | wc -l) failed)"
}

# Tables: adding 10,000 records in batches of 1,000 (records/s; p50/p99 of one batch), then, on a table of
# TABLE_ROWS rows, search by an indexed column (typed eq filter, and Refold's search with an anchored regex) and by
# an unanchored regex (every row checked), p50/p99 from wrk.
table_batch() { # first-index count columns -> a PATCH body of `count` records
  awk -v s="$1" -v n="$2" -v c="$3" 'BEGIN {
    printf "{\"data\":["
    for (i = 0; i < n; i++) {
      k = s + i; stage = (k % 7 == 0) ? "won" : (k % 3 == 0 ? "lost" : "open")
      printf "%s{\"email\":\"user%d@example.com\",\"stage\":\"%s\",\"score\":%d", (i ? "," : ""), k, stage, k % 1000
      for (j = 4; j <= c; j++) printf ",\"c%d\":\"v%d-%d\"", j, k, j
      printf "}"
    }
    printf "]}" }'
}

bench_tables() { # database key account
  local db=$1 key=$2 account=$3 base="http://127.0.0.1:$PORT"
  local h=(-H "x-api-key: $key" -H "linked_account_id: $account" -H 'content-type: application/json')
  local columns='{"column_name":"email"},{"column_name":"stage"},{"column_name":"score"}'
  for j in $(seq 4 "$TABLE_COLUMNS"); do columns="$columns,{\"column_name\":\"c$j\"}"; done
  create_table() { curl -sf -X POST "$base/api/v2/public/tables" "${h[@]}" -d "{\"table_name\":\"$1\",\"columns\":[$columns]}" | sed -E 's/.*"table_id":"([^"]+)".*/\1/'; }

  local small; small=$(create_table "bench-insert-$RANDOM")
  local times="$WORK/batch-times-$db" t0 t1
  : > "$times"
  t0=$(date +%s.%N)
  for b in $(seq 0 9); do
    table_batch $((b * 1000)) 1000 "$TABLE_COLUMNS" > "$WORK/batch.json"
    curl -sf -o /dev/null -w '%{time_total}\n' -X PATCH "$base/api/v2/public/tables/$small" "${h[@]}" --data-binary @"$WORK/batch.json" >> "$times"
  done
  t1=$(date +%s.%N)
  local rate p50 p99
  rate=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", 10000 / (b - a) }')
  p50=$(sort -n "$times" | awk '{ v[NR] = $1 } END { printf "%.0fms", 1000 * v[int((NR + 1) / 2)] }')
  p99=$(sort -n "$times" | awk '{ v[NR] = $1 } END { printf "%.0fms", 1000 * v[NR] }')
  printf '%s\t%s\t%s\t%s\t%s\n' "$db: add 10,000 records, batches of 1,000 (records/s)" "$rate" "$p50" "$p99" 0 >> "$RESULTS"
  printf '  %-48s %10s rec/s  p50 %-9s p99 %-9s\n' "$db: add 10,000 records in batches of 1,000" "$rate" "$p50" "$p99"

  echo "  filling a table of $TABLE_ROWS rows × $TABLE_COLUMNS columns…"
  local big; big=$(create_table "bench-search-$RANDOM")
  for s in $(seq 0 1000 $((TABLE_ROWS - 1))); do
    table_batch "$s" $(( TABLE_ROWS - s < 1000 ? TABLE_ROWS - s : 1000 )) "$TABLE_COLUMNS" > "$WORK/batch.json"
    curl -sf -o /dev/null -X PATCH "$base/api/v2/public/tables/$big" "${h[@]}" --data-binary @"$WORK/batch.json"
  done

  local eq; eq=$(lua POST '')
  printf 'request = function()\n  return wrk.format(nil, nil, nil, string.format([[{"filters":[{"column":"email","op":"eq","value":"user%%d@example.com"}]}]], math.random(0, %d)))\nend\n' "$((TABLE_ROWS - 1))" >> "$eq"
  run_wrk "$db: query eq on an indexed column, $TABLE_ROWS rows" "$base/api/patchbay/v1/tables/$big/query" "${h[@]}" -s "$eq"
  local anchored; anchored=$(lua POST '')
  printf 'request = function()\n  return wrk.format(nil, nil, nil, string.format([[{"email":"^user%%d@"}]], math.random(0, %d)))\nend\n' "$((TABLE_ROWS - 1))" >> "$anchored"
  run_wrk "$db: search ^prefix regex (index range), $TABLE_ROWS rows" "$base/api/v2/public/tables/$big/search" "${h[@]}" -s "$anchored"
  # Every row is read and matched: few connections, or the figure is queueing.
  THREADS=1 CONNECTIONS=2 run_wrk "$db: search unanchored regex (full scan), $TABLE_ROWS rows" "$base/api/v2/public/tables/$big/search" "${h[@]}" \
    -s "$(lua POST '{"email":"r12345[0-9]@ex"}')" --timeout 60s
}

for db in $DATABASES; do bench_patchbay "$db"; done

# The table, with each figure's ratio to the baseline measured above.
BASE_RPS=$(awk -F'\t' 'NR==1 {print $2}' "$RESULTS")
CPU=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
MEM=$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)
OS=$(. /etc/os-release && echo "$PRETTY_NAME")
TABLE=$(
  echo "| Scenario | Requests/s | p50 | p99 | Non-2xx | vs. baseline |"
  echo "|---|---:|---:|---:|---:|---:|"
  awk -F'\t' -v base="$BASE_RPS" '{ printf "| %s | %.0f | %s | %s | %s | %.1f%% |\n", $1, $2, $3, $4, $5, 100*$2/base }' "$RESULTS"
)
echo
echo "$TABLE"

REPORT=docs/benchmarks.md
{
  echo "## $LABEL, $(date -u +%Y-%m-%d)"
  echo
  echo "Machine: $(nproc) cores ($CPU), $MEM, $OS, .NET $(dotnet --version). wrk $THREADS threads, $CONNECTIONS connections, $DURATION per scenario after a $WARMUP warm-up, on the same machine as the server (loopback)."
  echo "Patchbay: Release build, rate limits off, JSON logs at Warning. PostgreSQL $( [ -n "${PG_BIN:-}" ] && "$PG_BIN/postgres" --version | awk '{print $3}') with durable defaults (fsync and synchronous_commit on)."
  echo
  echo "$TABLE"
  echo
} > "$WORK/section.md"
if [ "$RECORD" = 0 ]; then
  echo "(RECORD=0: not recorded in $REPORT)"
elif [ -f "$REPORT" ] && grep -q '^<!-- runs -->' "$REPORT"; then
  awk -v section="$WORK/section.md" '{ print } /^<!-- runs -->/ { while ((getline line < section) > 0) print line }' "$REPORT" > "$WORK/report.md"
  cp "$WORK/report.md" "$REPORT"
  echo "Recorded in $REPORT"
else
  echo "(docs/benchmarks.md has no '<!-- runs -->' marker; table not recorded)"
fi
