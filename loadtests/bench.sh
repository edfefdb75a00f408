#!/usr/bin/env bash
# Comparative benchmark: ZProxy, Varnish and nginx proxy_cache in front of one deterministic origin,
# cache hits only, each proxy pinned to CPU 1 and the load generator (wrk or ab -k) to CPU 0.
#
#   loadtests/bench.sh                 # 4 sizes x 3 rounds x 10 s per proxy (about 10 minutes)
#   loadtests/bench.sh --quick         # a few seconds: the CI smoke (results in a temporary folder)
#   loadtests/bench.sh --tool ab --duration 5 --rounds 5 --sizes "1k 1m" --out /tmp/bench
#   loadtests/bench.sh --rate "1k:15000 16k:10000 128k:6000 1m:600" --out /tmp/bench-paced
#   loadtests/bench.sh --tool ab --new-connections --sizes "1k 16k" --out /tmp/bench-connections
#
# Writes raw.tsv (one line per run), results.md (table) and results.svg (chart) to the output
# folder (default loadtests/results/). Installs varnish, nginx, wrk and apache2-utils from Debian
# when missing (as root). Every process it starts is stopped when it ends.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=lib/common.sh
. "$here/lib/common.sh"

# ZProxy variants measured side by side: "name|extra ZProxy arguments", one line each
# (ZProxy:Transport:Mode: zerocopy, the default on Linux, or kestrel, whose hits are copied).
ZPROXY_VARIANTS=(
  "zproxy|--ZProxy:Transport:Mode=zerocopy"
  "zproxy-kestrel|--ZProxy:Transport:Mode=kestrel"
)
# Experiments without editing this file: LT_ZPROXY_VARIANTS="a|--X=1;b|--X=2" replaces the list
# (arguments within a variant are separated by spaces); a third field sets environment variables
# of that variant only, e.g. "c|--X=1|DOTNET_gcServer=1 DOTNET_TieredPGO=0".
if [ -n "${LT_ZPROXY_VARIANTS:-}" ]; then
  IFS=';' read -r -a ZPROXY_VARIANTS <<< "$LT_ZPROXY_VARIANTS"
fi

usage() {
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
  cat << 'EOF'
Options:
  --quick            1 round of 1 s per proxy and size, short warm-up; output to a temporary folder
  --tool wrk|ab      load generator (default wrk; ab runs as `ab -k`)
  --new-connections  with --tool ab: a new connection for every request (ab without -k), so each hit
                     also pays a TCP handshake, an accept and a close
  --duration S       seconds per measured run (default 10)
  --rounds N         interleaved rounds per size (default 3)
  --warmup S         seconds of unrecorded load per proxy before each size (default 2)
  --jit-warmup S     seconds of unrecorded load for each ZProxy variant once at start, spread over the
                     sizes (default 30): .NET's tiered JIT and dynamic PGO reach their steady state only
                     after tens of seconds of load on one core; Varnish and nginx have nothing to warm
  --connections N    concurrent keep-alive connections (default 32)
  --rate "SIZE:RPS ..."
                     wrk only: pace the measured runs of these sizes to RPS requests/s in all (a Lua
                     script schedules every request), so every proxy is compared at the same load below
                     its limit; sizes not listed run as fast as they can. Warm-ups are not paced
  --sizes "..."      subset of: 1k 16k 128k 1m (default all)
  --proxies "..."    subset of proxy names (default: every ZProxy variant, varnish, nginx)
  --out DIR          output folder (default loadtests/results, or a temporary folder with --quick)
  --no-build         use existing builds
  --config C         build configuration to build or use (default Release; the CI smoke uses Debug)
EOF
}

tool=wrk duration=10 rounds=3 warmup=2 jit_warmup=30 connections=32 sizes="1k 16k 128k 1m" proxies_filter="" out="" quick=0 rates="" new_connections=0
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --tool) tool=$2; shift ;;
    --duration) duration=$2; shift ;;
    --rounds) rounds=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --jit-warmup) jit_warmup=$2; shift ;;
    --connections) connections=$2; shift ;;
    --rate) rates=$2; shift ;;
    --new-connections) new_connections=1 ;;
    --sizes) sizes=$2; shift ;;
    --proxies) proxies_filter=$2; shift ;;
    --out) out=$2; shift ;;
    --no-build) export LT_NO_BUILD=1 ;;
    --config) export LT_CONFIGURATION=$2; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
  shift
done
if [ "$quick" = 1 ]; then
  duration=1 rounds=1 warmup=1 jit_warmup=0
fi
case "$tool" in wrk | ab) ;; *) lt_die "--tool must be wrk or ab" ;; esac
declare -A rate_of
for pair in $rates; do
  [[ "$pair" =~ ^(1k|16k|128k|1m):([1-9][0-9]*)$ ]] || lt_die "--rate takes SIZE:RPS pairs (sizes 1k 16k 128k 1m), not '$pair'"
  rate_of[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
done
[ -z "$rates" ] || [ "$tool" = wrk ] || lt_die "--rate needs --tool wrk"
[ "$new_connections" = 0 ] || [ "$tool" = ab ] || lt_die "--new-connections needs --tool ab"
if [ -z "$out" ]; then
  if [ "$quick" = 1 ]; then out=$(mktemp -d /tmp/zproxy-bench-quick.XXXXXX); else out="$here/results"; fi
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)

cpus=$(nproc --all)
[ "$cpus" -ge 2 ] || lt_die "needs at least 2 CPUs (proxy on CPU 1, load generator on CPU 0)"

lt_ensure_commands curl:curl taskset:util-linux varnishd:varnish nginx:nginx wrk:wrk ab:apache2-utils

LT_WORK=$(mktemp -d /tmp/zproxy-bench.XXXXXX)
# Varnish's unprivileged users must reach the VCL and its work folder.
chmod 755 "$LT_WORK"
# Both caches' working files on tmpfs, as Varnish's documentation asks for its working directory: Varnish writes
# its shared-memory log (VSL) through a file mapping there, and on a disk folder a 10 s run leaves about 80 MB of
# dirty pages for the kernel to write back during later runs. (Measured: 80 MB written back during a ZProxy run
# did not change its CPU per request; the disk is kept out of the comparison all the same.)
nginx_cache=$(mktemp -d /dev/shm/zproxy-bench-nginx.XXXXXX)
varnish_work=$(mktemp -d /dev/shm/zproxy-bench-varnish.XXXXXX)
chmod 755 "$varnish_work"
pids=()
cleanup() {
  local status=$?
  if [ "${#pids[@]}" -gt 0 ]; then
    lt_stop_pids "${pids[@]}"
  fi
  rm -rf "$nginx_cache" "$varnish_work"
  if [ "$status" -ne 0 ]; then
    lt_log "failed; logs kept in $LT_WORK"
  else
    rm -rf "$LT_WORK"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

lt_build "$root/src/ZProxy.Host"
lt_build "$here/ZProxy.LoadTests.Origin"
lt_build "$here/ZProxy.LoadTests.Scenarios"
zproxy_dll="$root/src/ZProxy.Host/bin/$LT_CONFIGURATION/net10.0/zproxy.dll"
origin_dll="$here/ZProxy.LoadTests.Origin/bin/$LT_CONFIGURATION/net10.0/ZProxy.LoadTests.Origin.dll"
runner_dll="$here/ZProxy.LoadTests.Scenarios/bin/$LT_CONFIGURATION/net10.0/ZProxy.LoadTests.Scenarios.dll"

# --- origin (CPU 0: it serves each object once, then only the proxies work) ---
origin_port=$(lt_free_port)
origin="http://127.0.0.1:$origin_port"
taskset -c 0 dotnet "$origin_dll" --urls "$origin" > "$LT_WORK/origin.log" 2>&1 &
pids+=($!)
lt_wait_http "$origin/healthz" 60 "$!" || { cat "$LT_WORK/origin.log" >&2; lt_die "origin did not start"; }

# --- proxies, each on CPU 1 ---
declare -A proxy_url proxy_pid proxy_hit proxy_metrics
names=()
want() { [ -z "$proxies_filter" ] || [[ " $proxies_filter " == *" $1 "* ]]; }

for variant in "${ZPROXY_VARIANTS[@]}"; do
  name=${variant%%|*} extra=${variant#*|} environment=
  if [[ $extra == *"|"* ]]; then
    environment=${extra#*|} extra=${extra%%|*}
  fi
  want "$name" || continue
  port=$(lt_free_port) admin=$(lt_free_port)
  mkdir -p "$LT_WORK/$name"
  # Started from an empty folder, so no appsettings.json applies: everything is on this line.
  # shellcheck disable=SC2086
  (cd "$LT_WORK/$name" && exec env $environment taskset -c 1 dotnet "$zproxy_dll" \
    --urls "http://127.0.0.1:$port" \
    --ZProxy:Admin:Url="http://127.0.0.1:$admin" \
    --ZProxy:DemoOrigin:Enabled=false \
    --ZProxy:Store:MemoryLimit=1GiB \
    --Logging:LogLevel:Default=Warning \
    --ReverseProxy:Routes:bench:ClusterId=origin \
    --ReverseProxy:Routes:bench:Match:Path='{**catch-all}' \
    --ReverseProxy:Clusters:origin:Destinations:o1:Address="$origin/" \
    $extra) > "$LT_WORK/$name.log" 2>&1 &
  pids+=($!)
  proxy_pid[$name]=$! proxy_url[$name]="http://127.0.0.1:$port" proxy_hit[$name]='^cache-status:.*; hit'
  proxy_metrics[$name]="http://127.0.0.1:$admin/metrics"
  names+=("$name")
done

if want varnish; then
  port=$(lt_free_port)
  cat > "$LT_WORK/bench.vcl" << EOF
vcl 4.1;
backend origin { .host = "127.0.0.1"; .port = "$origin_port"; }
EOF
  chmod 644 "$LT_WORK/bench.vcl"
  taskset -c 1 varnishd -F -n "$varnish_work/varnish" -a "127.0.0.1:$port" -T 127.0.0.1:0 \
    -f "$LT_WORK/bench.vcl" -s malloc,1G > "$LT_WORK/varnish.log" 2>&1 &
  pids+=($!)
  # Varnish's hit: X-Varnish carries the request's and the cached object's transaction ids.
  proxy_pid[varnish]=$! proxy_url[varnish]="http://127.0.0.1:$port" proxy_hit[varnish]='^x-varnish: [0-9]+ [0-9]+'
  names+=(varnish)
fi

if want nginx; then
  port=$(lt_free_port)
  mkdir -p "$LT_WORK/nginx/logs" "$LT_WORK/nginx/temp"
  user_line=""
  [ "$(id -u)" -eq 0 ] && user_line="user root;"
  cat > "$LT_WORK/nginx/nginx.conf" << EOF
$user_line
daemon off;
worker_processes 1;
pid $LT_WORK/nginx/nginx.pid;
error_log $LT_WORK/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 10000000;
  client_body_temp_path $LT_WORK/nginx/temp/client;
  proxy_temp_path $LT_WORK/nginx/temp/proxy;
  fastcgi_temp_path $LT_WORK/nginx/temp/fastcgi;
  uwsgi_temp_path $LT_WORK/nginx/temp/uwsgi;
  scgi_temp_path $LT_WORK/nginx/temp/scgi;
  proxy_cache_path $nginx_cache levels=1:2 keys_zone=bench:16m max_size=1g inactive=1h use_temp_path=off;
  upstream origin { server 127.0.0.1:$origin_port; keepalive 16; }
  server {
    listen 127.0.0.1:$port;
    location / {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache bench;
      add_header X-Cache-Status \$upstream_cache_status;
    }
  }
}
EOF
  taskset -c 1 nginx -p "$LT_WORK/nginx/" -e "$LT_WORK/nginx/logs/error.log" -c "$LT_WORK/nginx/nginx.conf" \
    > "$LT_WORK/nginx.log" 2>&1 &
  pids+=($!)
  proxy_pid[nginx]=$! proxy_url[nginx]="http://127.0.0.1:$port" proxy_hit[nginx]='^x-cache-status: hit'
  names+=(nginx)
fi
[ "${#names[@]}" -gt 0 ] || lt_die "no proxy selected"

for name in "${names[@]}"; do
  lt_wait_http "${proxy_url[$name]}/healthz" 90 "${proxy_pid[$name]}" \
    || { cat "$LT_WORK/$name.log" "$LT_WORK/nginx/logs/error.log" 2> /dev/null >&2 || true; lt_die "$name did not start"; }
done
lt_log "origin $origin; $(for n in "${names[@]}"; do printf '%s %s (pid %s); ' "$n" "${proxy_url[$n]}" "${proxy_pid[$n]}"; done)"

# --- verify: the second request is a cache hit with the origin's exact bytes ---
for size in $sizes; do
  path="/bench/$size.bin"
  expected=$(curl -sf "$origin$path" | sha256sum | cut -d' ' -f1)
  for name in "${names[@]}"; do
    curl -sf -o /dev/null "${proxy_url[$name]}$path" || lt_die "$name: GET $path failed"
    headers="$LT_WORK/verify-$name-$size.headers"
    actual=$(curl -sf -D "$headers" "${proxy_url[$name]}$path" | sha256sum | cut -d' ' -f1)
    [ "$actual" = "$expected" ] || lt_die "$name: $path body differs from the origin's (sha256 $actual, expected $expected)"
    tr -d '\r' < "$headers" | grep -Eqi "${proxy_hit[$name]}" \
      || { cat "$headers" >&2; lt_die "$name: second GET $path was not a cache hit"; }
  done
  lt_log "verified $path: every proxy answers a cache hit, sha256 $expected"
done

# --- measure ---
size_bytes() { case "$1" in 1k) echo 1024 ;; 16k) echo 16384 ;; 128k) echo 131072 ;; 1m) echo 1048576 ;; *) lt_die "unknown size $1" ;; esac; }

# Prints "requests rps p50_us p99_us errors non2xx" from the tool's output.
parse_wrk() {
  awk '
    function us(v) { if (v ~ /us$/) return v + 0; if (v ~ /ms$/) return v * 1000; if (v ~ /s$/) return v * 1000000; return v }
    / requests in / { requests = $1 }
    /^Requests\/sec:/ { rps = $2 }
    /^ +50%/ { p50 = us($2) }
    /^ +99%/ { p99 = us($2) }
    /Socket errors:/ { gsub(/,/, ""); errors = $4 + $6 + $8 + $10 }
    /Non-2xx or 3xx responses:/ { non2xx = $NF }
    END { printf "%d %.2f %.0f %.0f %d %d\n", requests, rps, p50, p99, errors, non2xx }' "$1"
}
parse_ab() {
  # ab reports percentiles in whole milliseconds.
  awk '
    /^Complete requests:/ { requests = $3 }
    /^Failed requests:/ { errors = $3 }
    /^Non-2xx responses:/ { non2xx = $3 }
    /^Requests per second:/ { rps = $4 }
    /^ +50%/ { p50 = $2 * 1000 }
    /^ +99%/ { p99 = $2 * 1000 }
    END { printf "%d %.2f %.0f %.0f %d %d\n", requests, rps, p50, p99, errors, non2xx }' "$1"
}

# Bytes the .NET GC has handed out in a ZProxy process (its admin /metrics; .NET's System.Runtime meter),
# or -1 for proxies that have no such figure. Read outside the timed window.
allocated_bytes() {
  if [ -z "${proxy_metrics[$1]:-}" ]; then
    echo -1
    return
  fi
  curl -s --max-time 5 "${proxy_metrics[$1]}" | awk '/^dotnet_gc_heap_total_allocated_bytes_total/ { s += $2; found = 1 } END { if (found) printf "%.0f\n", s; else print -1 }'
}

# A wrk script that paces requests to an aggregate rate: each request takes the next slot of a fixed
# schedule (1000/RPS ms apart), whichever connection sends it, so the rate does not depend on the proxy's
# latency as a fixed per-request delay would. wrk takes whole milliseconds from delay(); the schedule
# carries the remainder, so the average rate holds. LuaJIT's FFI reads the monotonic clock.
pace_script() { # rps -> path
  local path="$LT_WORK/pace-$1.lua"
  cat > "$path" << EOF
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } zproxy_timespec;
int clock_gettime(int clock, zproxy_timespec *ts);
]]
local ts = ffi.new("zproxy_timespec")
local interval = 1000 / $1
local next_at = nil
function delay()
  ffi.C.clock_gettime(1, ts)
  local now = tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
  -- After a stall of more than 100 ms, restart the schedule from now rather than send the backlog at once.
  if next_at == nil or next_at < now - 100 then next_at = now end
  next_at = next_at + interval
  local wait = next_at - now
  if wait < 0 then return 0 end
  return wait
end
EOF
  echo "$path"
}

load() { # url seconds outfile [pace script]
  if [ "$tool" = wrk ]; then
    local pace=()
    [ -z "${4:-}" ] || pace=(-s "$4")
    # wrk's default 2 s timeout counts slow 1 MiB answers on a loaded machine as errors; 10 s does not.
    taskset -c 0 wrk -t1 -c"$connections" -d"$2"s --timeout 10s --latency "${pace[@]}" "$1" > "$3" 2>&1 || true
  else
    # -t first: it implies -n 50000, which the -n after it lifts.
    local keepalive=(-k)
    [ "$new_connections" = 0 ] || keepalive=()
    taskset -c 0 ab "${keepalive[@]}" -q -c "$connections" -t "$2" -n 100000000 "$1" > "$3" 2>&1 || true
  fi
}

raw="$out/raw.tsv"
printf 'size\tsize_bytes\tround\tproxy\ttool\tduration_s\trequests\trps\tp50_us\tp99_us\terrors\tnon2xx\tproxy_ticks\tcpu1_busy\tcpu1_total\tcpu0_busy\tcpu0_total\tclk_tck\talloc_bytes\n' > "$raw"
clk=$(getconf CLK_TCK)
{
  echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "mode=$([ "$quick" = 1 ] && echo quick || echo normal)"
  echo "tool=$tool"
  echo "connections=$connections"
  [ -z "$rates" ] || echo "rate=$rates"
  [ "$new_connections" = 0 ] || echo "keepalive=off"
  echo "duration_s=$duration"
  echo "rounds=$rounds"
  echo "warmup_s=$warmup"
  echo "jit_warmup_s=$jit_warmup"
  echo "cpus=$cpus"
  echo "cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
  echo "kernel=$(uname -r)"
  echo "loadavg_start=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "zproxy=$(git -C "$root" rev-parse --short HEAD 2> /dev/null || echo unknown) $(dotnet --version)"
  echo "varnish=$(varnishd -V 2>&1 | head -n 1 | sed 's/^varnishd (\([^ ]*\).*/\1/')"
  echo "nginx=$(nginx -v 2>&1 | sed 's/^nginx version: //')"
  echo "wrk=$(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)"
  echo "ab=$(ab -V 2>&1 | head -n 1 | sed 's/.*Version //')"
  for variant in "${ZPROXY_VARIANTS[@]}"; do echo "variant=${variant%%|*} ${variant#*|}"; done
} > "$out/meta.txt"

# One-time JIT warm-up of the .NET proxies (measured on 1 KiB hits: 45-50 us CPU per request after 2 s of
# load, 30 us after 30 s, when tiered compilation and PGO have finished).
if [ "$jit_warmup" -gt 0 ]; then
  per_size=$(( (jit_warmup + $(wc -w <<< "$sizes") - 1) / $(wc -w <<< "$sizes") ))
  for name in "${names[@]}"; do
    case "$name" in varnish | nginx) continue ;; esac
    for size in $sizes; do
      load "${proxy_url[$name]}/bench/$size.bin" "$per_size" "$LT_WORK/warmup.txt"
    done
  done
  lt_log "JIT warm-up done: ${per_size} s per size for each ZProxy variant"
fi

total_runs=$(($(wc -w <<< "$sizes") * rounds * ${#names[@]}))
run=0
for size in $sizes; do
  bytes=$(size_bytes "$size")
  pace=""
  [ -z "${rate_of[$size]:-}" ] || pace=$(pace_script "${rate_of[$size]}")
  for name in "${names[@]}"; do
    load "${proxy_url[$name]}/bench/$size.bin" "$warmup" "$LT_WORK/warmup.txt"
  done
  for ((r = 1; r <= rounds; r++)); do
    # Round-robin with a rotating start, so no proxy always runs first (or right after another).
    count=${#names[@]}
    for ((k = 0; k < count; k++)); do
      name=${names[$(((k + r - 1) % count))]}
      pid=${proxy_pid[$name]}
      result="$LT_WORK/run-$size-$r-$name.txt"
      a0=$(allocated_bytes "$name")
      t0=$(lt_tree_ticks "$pid"); read -r c1b0 c1t0 <<< "$(lt_cpu_ticks 1)"; read -r c0b0 c0t0 <<< "$(lt_cpu_ticks 0)"
      load "${proxy_url[$name]}/bench/$size.bin" "$duration" "$result" "$pace"
      t1=$(lt_tree_ticks "$pid"); read -r c1b1 c1t1 <<< "$(lt_cpu_ticks 1)"; read -r c0b1 c0t1 <<< "$(lt_cpu_ticks 0)"
      a1=$(allocated_bytes "$name")
      allocated=-1
      if [ "$a0" -ge 0 ] && [ "$a1" -ge 0 ]; then allocated=$((a1 - a0)); fi
      if [ "$tool" = wrk ]; then parsed=$(parse_wrk "$result"); else parsed=$(parse_ab "$result"); fi
      read -r requests rps p50 p99 errors non2xx <<< "$parsed"
      run=$((run + 1))
      other=$(((c1b1 - c1b0) - (t1 - t0)))
      lt_log "[$run/$total_runs] $size round $r $name: $rps req/s, p99 ${p99} us, proxy $((t1 - t0)) ticks," \
        "other load on CPU 1 $((other > 0 ? 100 * other / (c1t1 - c1t0 + 1) : 0)) %, errors $errors/$non2xx"
      [ "$requests" -gt 0 ] || { cat "$result" >&2; lt_log "$name produced no requests"; }
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
        "$size" "$bytes" "$r" "$name" "$tool" "$duration" "$requests" "$rps" "$p50" "$p99" "$errors" "$non2xx" \
        "$((t1 - t0))" "$((c1b1 - c1b0))" "$((c1t1 - c1t0))" "$((c0b1 - c0b0))" "$((c0t1 - c0t0))" "$clk" "$allocated" >> "$raw"
    done
  done
done
echo "loadavg_end=$(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/meta.txt"

dotnet "$runner_dll" bench-report --raw "$raw" --meta "$out/meta.txt" --out "$out" --baseline varnish
lt_log "results: $out/results.md, $out/results.svg, $out/raw.tsv"
