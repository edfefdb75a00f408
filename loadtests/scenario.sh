#!/usr/bin/env bash
# Realistic traffic through ZProxy: starts the deterministic origin and ZProxy (with a store smaller
# than the working set), runs the C# scenario runner against them, and stops both.
#
#   loadtests/scenario.sh                         # 30 s, 20,000 Zipf keys (~1.5 GiB) through a 256 MiB store
#   loadtests/scenario.sh --quick                 # 5 s, for CI
#   loadtests/scenario.sh --store 64MiB --out /tmp/scenario -- --rate 2000 --mix get=80,miss=10,revalidate=5,purge=5
#
# Everything after `--` goes to the runner (`dotnet loadtests/ZProxy.LoadTests.Scenarios/bin/Release/net10.0/
# ZProxy.LoadTests.Scenarios.dll run --help` lists its options). Exit status is the runner's: non-zero
# when no request succeeded or any body differed from the origin's.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=lib/common.sh
. "$here/lib/common.sh"

store=256MiB out="" quick=0 extra_zproxy=()
runner_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --store) store=$2; shift ;;
    --out) out=$2; shift ;;
    --no-build) export LT_NO_BUILD=1 ;;
    --config) export LT_CONFIGURATION=$2; shift ;;
    --zproxy-arg) extra_zproxy+=("$2"); shift ;;
    --) shift; runner_args=("$@"); break ;;
    -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [ "$quick" = 1 ]; then
  store=16MiB
  runner_args=(--duration 5s --connections 8 --keys 2000 "${runner_args[@]}")
fi
if [ -z "$out" ]; then
  out=$(mktemp -d /tmp/zproxy-scenario.XXXXXX)
fi
mkdir -p "$out"

lt_ensure_commands curl:curl

LT_WORK=$(mktemp -d /tmp/zproxy-scenario-work.XXXXXX)
pids=()
cleanup() {
  local status=$?
  if [ "${#pids[@]}" -gt 0 ]; then
    lt_stop_pids "${pids[@]}"
  fi
  if [ "$status" -ne 0 ]; then lt_log "failed; logs kept in $LT_WORK"; else rm -rf "$LT_WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

lt_build "$root/src/ZProxy.Host"
lt_build "$here/ZProxy.LoadTests.Scenarios"
zproxy_dll="$root/src/ZProxy.Host/bin/$LT_CONFIGURATION/net10.0/zproxy.dll"
origin_dll="$here/ZProxy.LoadTests.Origin/bin/$LT_CONFIGURATION/net10.0/ZProxy.LoadTests.Origin.dll"
runner_dll="$here/ZProxy.LoadTests.Scenarios/bin/$LT_CONFIGURATION/net10.0/ZProxy.LoadTests.Scenarios.dll"

origin_port=$(lt_free_port) port=$(lt_free_port) admin_port=$(lt_free_port)
origin="http://127.0.0.1:$origin_port" proxy="http://127.0.0.1:$port" admin="http://127.0.0.1:$admin_port"
dotnet "$origin_dll" --urls "$origin" > "$LT_WORK/origin.log" 2>&1 &
pids+=($!)
lt_wait_http "$origin/healthz" 60 "$!" || { cat "$LT_WORK/origin.log" >&2; lt_die "origin did not start"; }

mkdir -p "$LT_WORK/zproxy"
(cd "$LT_WORK/zproxy" && exec dotnet "$zproxy_dll" \
  --urls "$proxy" \
  --ZProxy:Admin:Url="$admin" \
  --ZProxy:DemoOrigin:Enabled=false \
  --ZProxy:Store:MemoryLimit="$store" \
  --Logging:LogLevel:Default=Warning \
  --ReverseProxy:Routes:all:ClusterId=origin \
  --ReverseProxy:Routes:all:Match:Path='{**catch-all}' \
  --ReverseProxy:Clusters:origin:Destinations:o1:Address="$origin/" \
  "${extra_zproxy[@]}") > "$LT_WORK/zproxy.log" 2>&1 &
pids+=($!)
lt_wait_http "$admin/healthz" 90 "$!" || { cat "$LT_WORK/zproxy.log" >&2; lt_die "ZProxy did not start"; }
lt_log "origin $origin, ZProxy $proxy (admin $admin, store $store); results in $out"

status=0
dotnet "$runner_dll" run --proxy "$proxy" --admin "$admin" --origin "$origin" --out "$out" "${runner_args[@]}" || status=$?
if grep -qiE 'unhandled|fatal|crash' "$LT_WORK/zproxy.log"; then
  lt_log "ZProxy logged:"; grep -iE -A5 'unhandled|fatal|crash' "$LT_WORK/zproxy.log" | head -n 40 >&2
fi
exit "$status"
