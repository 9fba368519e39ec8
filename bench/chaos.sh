#!/usr/bin/env bash
# Patchbay chaos suite: three server processes on one throwaway PostgreSQL under a mixed workload (executions with
# a delay and two slow HTTP calls (1 s, 0.5 s) to a local fake API, custom events starting a workflow, a schedule
# firing every 2 s, "Workflow Completed" webhook deliveries, credential writes), one random
# node SIGKILLed and restarted every few seconds for a minute, PostgreSQL restarted once in the middle. Then it checks
# and prints: every accepted execution completed (none ERRORED), no step made twice, every accepted event ran its
# workflow, the schedule ran through it all at most once per occurrence, every completion delivered to the webhook at
# least once, no acknowledged credential lost, and the time from each kill to the resumption of the
# executions the dead node held (p50/max). Exits 1 if a check fails. Bounded: ~2–3 minutes in all.
#
#   bench/chaos.sh                     # 60 s of chaos, a kill every 6 s
#   CHAOS_SECONDS=30 KILL_EVERY=4 bench/chaos.sh
#   KEEP=1 bench/chaos.sh              # keep the work folder (server logs, PostgreSQL log) for a look afterwards
#
# Needs: the .NET SDK, the PostgreSQL server binaries (apt-get install postgresql), curl, jq, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
CHAOS_SECONDS=${CHAOS_SECONDS:-60}
KILL_EVERY=${KILL_EVERY:-6}
DEAD_AFTER=${DEAD_AFTER:-3}          # seconds without a heartbeat before a node is dead and its leases come back
PORT=${PORT:-19080}                  # nodes on PORT+1..3, the fake API on PORT, PostgreSQL on PORT+100
WORK=$(mktemp -d /tmp/patchbay-chaos.XXXXXX)
chmod 755 "$WORK"
PIDS=()
NODE_PID=(0 0 0 0)
PG_DATA="$WORK/pg"
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$PG_BIN/initdb" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }
for tool in curl jq python3; do command -v $tool >/dev/null || { echo "$tool is required" >&2; exit 1; }; done
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

cleanup() {
  for pid in "${PIDS[@]:-}" "${NODE_PID[@]}"; do [ "$pid" != 0 ] && kill -9 "$pid" 2>/dev/null || true; done
  as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w stop >/dev/null 2>&1 || true
  if [ "${KEEP:-0}" = 1 ]; then echo "work folder kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

echo "Building (Release)…"
dotnet publish src/Patchbay.Server -c Release -o "$WORK/server" --nologo -v quiet >/dev/null

PGPORT=$((PORT + 100))
mkdir -p "$PG_DATA"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$PG_DATA" "$WORK"
as_postgres "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -A trust -E UTF8 --locale=C >/dev/null
PG_OPTS="-p $PGPORT -k $WORK -c listen_addresses=127.0.0.1 -c max_connections=300"
pg() { as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$WORK/pg.log" -w -o "$PG_OPTS" "$@" >/dev/null; }
pg start
psql_() { psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -tAq -c "$1" 2>/dev/null; }

python3 bench/chaos/target.py "$PORT" &
PIDS+=($!)
TARGET="http://127.0.0.1:$PORT"

KEY="tk$(cat /proc/sys/kernel/random/uuid)"
ADMIN="chaos-admin-$(cat /proc/sys/kernel/random/uuid)"
MASTER=$(head -c 32 /dev/urandom | base64)
start_node() { # n
  local n=$1
  ( cd "$WORK" && exec env \
    Patchbay__DataDirectory="$WORK/data" Patchbay__Database__Provider=Postgres \
    Patchbay__Database__ConnectionString="Host=127.0.0.1;Port=$PGPORT;Username=postgres;Database=postgres;Timeout=5;Maximum Pool Size=30" \
    Patchbay__Vault__MasterKey="$MASTER" Patchbay__Bootstrap__TestApiKey="$KEY" Patchbay__Admin__Token="$ADMIN" \
    Patchbay__RateLimits__Enabled=false Patchbay__Egress__AllowedNetworks__0=127.0.0.0/8 \
    Patchbay__Workflows__PollInterval=00:00:00.200 Patchbay__Webhooks__PollInterval=00:00:00.200 \
    Patchbay__Cluster__HeartbeatInterval=00:00:00.500 Patchbay__Cluster__DeadAfter=$(printf "00:%02d:%02d" $((DEAD_AFTER / 60)) $((DEAD_AFTER % 60))) \
    Logging__LogLevel__Default=Warning Logging__Console__FormatterName=simple \
    ASPNETCORE_URLS="http://127.0.0.1:$((PORT + n))" "$WORK/server/Patchbay.Server" >>"$WORK/node$n.log" 2>&1 ) &
  NODE_PID[$n]=$!
  disown "$!" # its SIGKILL is the point, not news
}
wait_ready() { for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$((PORT + $1))/readyz" >/dev/null 2>&1 && return 0; sleep 0.2; done; echo "node $1 did not start" >&2; exit 1; }
node_id() { curl -sf "http://127.0.0.1:$((PORT + $1))/admin/v1/nodes" -H "Authorization: Bearer $ADMIN" | jq -r '.nodes[] | select(.self) | .id'; }

echo "Starting PostgreSQL and three nodes…"
start_node 1; wait_ready 1   # the first migrates and bootstraps; the others join
start_node 2; start_node 3; wait_ready 2; wait_ready 3

B="http://127.0.0.1:$((PORT + 1))"
ACCOUNT="chaos_$RANDOM"
H=(-H "x-api-key: $KEY" -H 'content-type: application/json')
curl -sf -X POST "$B/api/v2/public/linked-account" "${H[@]}" \
  -d "{\"linked_account_id\":\"$ACCOUNT\",\"your_app\":{\"auth_credentials\":{\"seed\":\"seed\"}}}" >/dev/null
curl -sf -X POST "$B/api/v2/public/webhook" "${H[@]}" -d "{\"webhook_url\":\"$TARGET/hook\",\"webhook_events\":[\"Workflow Completed\"]}" >/dev/null
HA=("${H[@]}" -H "linked_account_id: $ACCOUNT")
DRAFT=$(curl -sf -X POST "$B/api/v2/public/workflow" "${HA[@]}" -d '{"name":"Chaos"}' | jq -r .workflow._id)
curl -sf -X PUT "$B/api/v2/public/workflow/$DRAFT" "${HA[@]}" -d "{\"nodes\":[{\"id\":\"start\",\"type\":\"start\"},
  {\"id\":\"one\",\"type\":\"http\",\"data\":{\"url\":\"$TARGET/call?i={{payload.i}}&step=1&ms=1000\"}},
  {\"id\":\"wait\",\"type\":\"delay\",\"data\":{\"seconds\":2}},
  {\"id\":\"two\",\"type\":\"http\",\"data\":{\"url\":\"$TARGET/call?i={{payload.i}}&step=2&ms=500\"}},
  {\"id\":\"out\",\"type\":\"response\",\"data\":{\"body\":\"{{payload.i}}\"}}],
  \"edges\":[{\"source\":\"start\",\"target\":\"one\"},{\"source\":\"one\",\"target\":\"wait\"},{\"source\":\"wait\",\"target\":\"two\"},{\"source\":\"two\",\"target\":\"out\"}]}" >/dev/null
VERSION=$(curl -sf -X PUT "$B/api/v2/public/workflow/$DRAFT/publish" "${HA[@]}" -d '{"published":true}' | jq -r ._id)

# A custom event of the org's default app and a workflow it starts; a workflow run by a schedule every 2 seconds.
# Each calls the fake API once (the event's with the event's own id, so a lost or doubled event shows).
publish() { # name start-node-json url -> workflow id
  local draft; draft=$(curl -sf -X POST "$B/api/v2/public/workflow" "${HA[@]}" -d "{\"name\":\"$1\"}" | jq -r .workflow._id)
  curl -sf -X PUT "$B/api/v2/public/workflow/$draft" "${HA[@]}" -d "{\"nodes\":[$2,
    {\"id\":\"call\",\"type\":\"http\",\"data\":{\"url\":\"$3\"}},{\"id\":\"out\",\"type\":\"response\",\"data\":{\"body\":\"ok\"}}],
    \"edges\":[{\"source\":\"start\",\"target\":\"call\"},{\"source\":\"call\",\"target\":\"out\"}]}" >/dev/null
  curl -sf -X PUT "$B/api/v2/public/workflow/$draft/publish" "${HA[@]}" -d '{"published":true}' >/dev/null
  echo "$draft"
}
curl -sf -X POST "$B/api/v2/public/application/event" "${H[@]}" -d '{"name":"chaos_event","response":"{\"i\":\"x\"}"}' >/dev/null
EVENT_WF=$(publish "Chaos event" '{"id":"start","type":"start","data":{"trigger":{"type":"event","event":"chaos_event"}}}' \
  "$TARGET/call?i={{payload.i}}&step=event&ms=100")
TICK_WF=$(publish "Chaos tick" '{"id":"start","type":"start"}' "$TARGET/call?i=tick&step=schedule&ms=100")
curl -sf -X POST "$B/api/v1/workflow/public/scheduled" "${HA[@]}" -H 'slug: custom' -H "workflow_id_alias: $TICK_WF" -H "config_id: $ACCOUNT" \
  -d '{"trigger_type":"cron","regex":"*/2 * * * * *","tz":"UTC","payload":{}}' >/dev/null
SCHEDULE_FROM=$(date +%s)

# The workload: executions and credential writes, each sent to a random node; a refusal (503 while PostgreSQL
# restarts, a connection reset by a kill) is not accepted work and is simply counted.
: > "$WORK/accepted"; : > "$WORK/credentials"; : > "$WORK/refused"; : > "$WORK/events"
workload() { # prefix (two workloads run at once)
  local p=$1 i=0
  while [ ! -f "$WORK/stop" ]; do
    i=$((i + 1))
    local n=$((RANDOM % 3 + 1)) url
    url="http://127.0.0.1:$((PORT + n))"
    local out
    if out=$(curl -s -m 10 -w '\n%{http_code}' -X POST "$url/api/v1/workflow/$VERSION/execute" "${HA[@]}" -d "{\"i\":\"$p$i\"}" 2>/dev/null) \
       && [ "$(tail -1 <<<"$out")" = 200 ]; then
      head -1 <<<"$out" | jq -r .execution_id >> "$WORK/accepted"
    else echo "execute $(tail -1 <<<"${out:-000}")" >> "$WORK/refused"; fi
    if [ $((i % 3)) = 1 ]; then
      local fired
      fired=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -X POST "$url/api/v2/public/event/trigger" "${HA[@]}" \
        -d "{\"event\":\"chaos_event\",\"payload\":{\"i\":\"ev$p$i\"}}" || true)
      if [ "$fired" = 200 ]; then echo "ev$p$i" >> "$WORK/events"; else echo "event $fired" >> "$WORK/refused"; fi
    fi
    if [ $((i % 3)) = 0 ]; then
      local code
      code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -X PUT "$url/api/v2/public/linked-account/default-app/auth-credentials/k$p$i" "${HA[@]}" -d "{\"value\":\"v$i\"}" || true)
      if [ "$code" = 200 ]; then echo "k$p$i" >> "$WORK/credentials"; else echo "credential $code" >> "$WORK/refused"; fi
    fi
    sleep 0.1
  done
}
workload a & WORKLOAD=$!
workload b & WORKLOAD2=$!

# Kill-to-resume: the executions the dead node held (leased, mid-step) at the kill, and when each was taken up
# again (leased by another node, parked after a step, or finished).
measure() { # kill-epoch-ms dead-node-id ids-file
  local t0=$1 dead=$2 ids=$3 list
  list=$(sed "s/.*/'&'/" "$ids" | paste -sd, -)
  [ -n "$list" ] || return 0
  local pending; pending=$(cat "$ids")
  for _ in $(seq 1 600); do
    local resumed
    resumed=$(psql_ "select id from executions where id in ($list) and (status <> 'RUNNING'
      or (lease_owner is not null and lease_owner not like '$dead/%') or (lease_owner is null and run_at > now()))") || true
    local now; now=$(date +%s%3N)
    for id in $resumed; do
      if grep -qx "$id" <<<"$pending"; then
        echo $((now - t0)) >> "$WORK/resume-ms"
        pending=$(grep -vx "$id" <<<"$pending" || true)
      fi
    done
    [ -z "$pending" ] && return 0
    sleep 0.1
  done
  echo "never resumed after a kill: $pending" >> "$WORK/failures"
}

echo "Chaos for ${CHAOS_SECONDS}s: a node SIGKILLed every ${KILL_EVERY}s and restarted, PostgreSQL restarted once…"
: > "$WORK/resume-ms"; : > "$WORK/failures"
T_END=$(( $(date +%s) + CHAOS_SECONDS ))
PG_RESTARTED=0
KILLS=0
while [ "$(date +%s)" -lt "$T_END" ]; do
  sleep "$KILL_EVERY"
  if [ "$PG_RESTARTED" = 0 ] && [ "$(date +%s)" -ge $((T_END - CHAOS_SECONDS / 2)) ]; then
    echo "  PostgreSQL restart"
    pg -m fast restart
    PG_RESTARTED=1
    continue
  fi
  n=$((RANDOM % 3 + 1))
  dead=$(node_id "$n" 2>/dev/null || true)
  [ -n "$dead" ] || continue
  psql_ "select id from executions where lease_owner like '$dead/%' and status = 'RUNNING'" > "$WORK/held-$KILLS" || true
  kill -9 "${NODE_PID[$n]}" 2>/dev/null || true
  t0=$(date +%s%3N)
  echo "  SIGKILL node $n ($(wc -l < "$WORK/held-$KILLS") executions held)"
  measure "$t0" "$dead" "$WORK/held-$KILLS" &
  PIDS+=($!)
  KILLS=$((KILLS + 1))
  sleep 1
  start_node "$n" # not waited for: it joins while the chaos goes on
done
touch "$WORK/stop"
wait "$WORKLOAD" "$WORKLOAD2" 2>/dev/null || true
for pid in "${PIDS[@]:1}"; do wait "$pid" 2>/dev/null || true; done
PIDS=("${PIDS[0]}")

echo "Waiting for every accepted execution to finish…"
ACCEPTED=$(wc -l < "$WORK/accepted")
IDS=$(sed "s/.*/'&'/" "$WORK/accepted" | paste -sd, -)
SCHEDULE_TO=$(date +%s)
curl -sf -X DELETE "$B/api/v1/workflow/public/scheduled/$(curl -sf "$B/api/v1/workflow/public/scheduled" "${HA[@]}" | jq -r '(.docs // .)[0]._id')" "${HA[@]}" >/dev/null || true
for _ in $(seq 1 240); do
  [ "$(psql_ "select count(*) from executions where account_id = '$ACCOUNT' and status = 'RUNNING'")" = 0 ] && break
  sleep 0.5
done
sleep 3 # the last webhook deliveries
COMPLETED=$(psql_ "select count(*) from executions where id in ($IDS) and status = 'COMPLETED'")
ERRORED=$(psql_ "select count(*) from executions where id in ($IDS) and status <> 'COMPLETED'")
DOUBLE_NODES=$(psql_ "select count(*) from (select execution_id, node_id from execution_nodes where execution_id in ($IDS) group by 1, 2 having count(*) > 1) d")
STATS=$(curl -sf "$TARGET/stats")
CALLS_TWICE=$(jq '[.calls | to_entries[] | select(.value > 1)] | length' <<<"$STATS")
DELIVERED=$(jq --rawfile ids "$WORK/accepted" '[$ids | split("\n")[] | select(length > 0)] as $a | [.hooks | keys[]] as $h | [$a[] | select(. as $x | $h | index($x))] | length' <<<"$STATS")
CREDS=$(wc -l < "$WORK/credentials")
CRED_LIST=$(sed "s/.*/'&'/" "$WORK/credentials" | paste -sd, -)
CREDS_FOUND=$([ "$CREDS" = 0 ] && echo 0 || psql_ "select count(distinct key) from integration_credentials where key in ($CRED_LIST)")
EVENTS=$(wc -l < "$WORK/events")
EVENTS_RAN=$(jq --rawfile ids "$WORK/events" '[$ids | split("\n")[] | select(length > 0)] as $e | .calls as $c | [$e[] | select(($c[. + "/event"] // 0) >= 1)] | length' <<<"$STATS")
EVENT_ERRORS=$(psql_ "select count(*) from executions where workflow_draft_id = '$EVENT_WF' and status <> 'COMPLETED'")
TICKS=$(psql_ "select count(*) from executions where workflow_draft_id = '$TICK_WF' and created_at <= to_timestamp($SCHEDULE_TO)")
TICK_ERRORS=$(psql_ "select count(*) from executions where workflow_draft_id = '$TICK_WF' and created_at <= to_timestamp($SCHEDULE_TO) and status <> 'COMPLETED'")
TICKS_MAX=$(( (SCHEDULE_TO - SCHEDULE_FROM) / 2 + 2 ))
REFUSED=$(wc -l < "$WORK/refused")
REFUSALS=$(sort "$WORK/refused" | uniq -c | awk '{ printf "%s%s %s: %s", (NR > 1 ? ", " : ""), $2, $3, $1 }')
read -r P50 PMAX N_RESUMED < <(sort -n "$WORK/resume-ms" | awk '{ a[NR] = $1 } END { if (NR == 0) print "- - 0"; else printf "%.1f %.1f %d\n", a[int((NR + 1) / 2)] / 1000, a[NR] / 1000, NR }')

echo
echo "Chaos suite: 3 nodes, ${CHAOS_SECONDS}s, $KILLS SIGKILLs, PostgreSQL restarted $PG_RESTARTED time(s)"
FAIL=0
check() { if [ "$1" = ok ]; then printf '  ok    %s\n' "$2"; else printf '  FAIL  %s\n' "$2"; FAIL=1; fi; }
check "$([ "$ACCEPTED" -gt 0 ] && [ "$COMPLETED" = "$ACCEPTED" ] && echo ok)" "executions accepted = completed: $ACCEPTED accepted, $COMPLETED completed, $ERRORED not completed ($REFUSED requests refused during kills and the restart, not accepted work: $REFUSALS; 000 = connection refused or reset)"
check "$([ "$DOUBLE_NODES" = 0 ] && echo ok)" "no step recorded twice: $DOUBLE_NODES execution steps recorded more than once"
echo "        calls to the fake API made more than once (a step cut off mid-call by a SIGKILL and run again): $CALLS_TWICE"
check "$([ "$EVENTS" -gt 0 ] && [ "$EVENTS_RAN" = "$EVENTS" ] && [ "$EVENT_ERRORS" = 0 ] && echo ok)" "every accepted event ran its workflow: $EVENTS_RAN of $EVENTS events reached the fake API, $EVENT_ERRORS event runs not completed"
check "$([ "$TICKS" -gt 0 ] && [ "$TICKS" -le "$TICKS_MAX" ] && [ "$TICK_ERRORS" = 0 ] && echo ok)" "the schedule ran through it, never twice for one occurrence: $TICKS runs in $((SCHEDULE_TO - SCHEDULE_FROM)) s of a 2 s schedule (at most $TICKS_MAX; missed occurrences collapse into one run), $TICK_ERRORS not completed"
check "$([ "$DELIVERED" = "$COMPLETED" ] && echo ok)" "Workflow Completed delivered at least once: $DELIVERED of $COMPLETED"
check "$([ "$CREDS_FOUND" = "$CREDS" ] && echo ok)" "no credential lost: $CREDS_FOUND of $CREDS acknowledged writes stored"
check "$([ ! -s "$WORK/failures" ] && echo ok)" "every execution a killed node held was resumed ($N_RESUMED measured)"
echo "  kill-to-resume: p50 ${P50}s, max ${PMAX}s (dead after ${DEAD_AFTER}s without a heartbeat; leases are 30 s)"
[ -s "$WORK/failures" ] && cat "$WORK/failures"
if [ "$ERRORED" != 0 ] || [ "$EVENT_ERRORS" != 0 ]; then
  echo "  not completed:"
  psql_ "select '    ' || id || ' ' || status || ' at ' || coalesce(current_node, '-') || ': ' || coalesce(left(error, 200), '') from executions
    where account_id = '$ACCOUNT' and status <> 'COMPLETED' and created_at <= to_timestamp($SCHEDULE_TO)"
fi
exit $FAIL
