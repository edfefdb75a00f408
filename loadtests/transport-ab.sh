#!/usr/bin/env bash
# A quick A/B of ZProxy transport settings on cache hits of one body size: for each variant, starts
# the load-test origin (CPU 0) and ZProxy (CPU 1), warms up, runs wrk (CPU 0) and prints the proxy's
# CPU microseconds per request from /proc/PID/stat. Variants run one after the other, ROUNDS times,
# interleaved. Needs a Release build (dotnet build -c Release src/ZProxy.Host loadtests/ZProxy.LoadTests.Origin)
# and wrk; loopback ports 28080/28081/29090.
#
#   loadtests/transport-ab.sh 128k 2 \
#     "gather|--ZProxy:Transport:Mode=ZeroCopy" \
#     "simple|--ZProxy:Transport:Mode=ZeroCopy --ZProxy:Transport:UseGatheredSend=false" \
#     "kestrel|--ZProxy:Transport:Mode=Kestrel"
#
# Words of a variant that do not start with "--" are environment assignments for ZProxy (NAME=value).
# ZProxy starts in an empty folder with every route on its command line (an appsettings.json in the
# working folder would otherwise add its own routes), and each run first checks that the body is a
# 200 of the expected size: a run that would measure error answers stops the script instead.
set -euo pipefail
size=$1 rounds=$2
shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
zproxy="$root/src/ZProxy.Host/bin/Release/net10.0/zproxy.dll"
origin="$root/loadtests/ZProxy.LoadTests.Origin/bin/Release/net10.0/ZProxy.LoadTests.Origin.dll"
url="http://127.0.0.1:28080/bench/$size.bin"
case "$size" in 1k) bytes=1024 ;; 16k) bytes=16384 ;; 128k) bytes=131072 ;; 1m) bytes=1048576 ;; *) echo "size: 1k, 16k, 128k or 1m" >&2; exit 2 ;; esac
workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT

run() {
  local name=$1 opid pid t0 t1 requests word
  local -a args=() environment=()
  for word in $2; do
    case "$word" in --*) args+=("$word") ;; *) environment+=("$word") ;; esac
  done
  taskset -c 0 dotnet "$origin" --urls http://127.0.0.1:28081 > /dev/null 2>&1 &
  opid=$!
  (cd "$workdir" && exec env "${environment[@]}" taskset -c 1 dotnet "$zproxy" --urls http://127.0.0.1:28080 --ZProxy:Admin:Url=http://127.0.0.1:29090 \
    --ZProxy:DemoOrigin:Enabled=false --ZProxy:Store:MemoryLimit=1GiB \
    --ReverseProxy:Routes:bench:ClusterId=origin --ReverseProxy:Routes:bench:Match:Path='{**catch-all}' \
    --ReverseProxy:Clusters:origin:Destinations:o1:Address=http://127.0.0.1:28081/ \
    --Logging:LogLevel:Default=Warning "${args[@]}") > /dev/null 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -sf -o /dev/null "$url" && break; sleep 0.2; done
  local answer
  answer=$(curl -s -o /dev/null -w '%{http_code} %{size_download}' "$url" || true)
  if [ "$answer" != "200 $bytes" ]; then
    kill "$pid" "$opid" 2> /dev/null || true
    echo "$name: GET $url answered '$answer', expected '200 $bytes'" >&2
    exit 1
  fi
  taskset -c 0 wrk -t1 -c32 -d2s "$url" > /dev/null
  t0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  requests=$(taskset -c 0 wrk -t1 -c32 -d5s "$url" | awk '/requests in/ {print $1}')
  t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  kill "$pid" "$opid"
  wait "$pid" "$opid" 2> /dev/null || true
  # /proc/PID/stat counts clock ticks (USER_HZ = 100): 10,000 µs each.
  echo "$name $size requests=$requests cpu_us_per_request=$(( (t1 - t0) * 10000 / requests ))"
}

for _ in $(seq "$rounds"); do
  for variant in "$@"; do
    run "${variant%%|*}" "${variant#*|}"
  done
done
