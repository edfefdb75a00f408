#!/usr/bin/env bash
# CPU per request of a cache-hit body: ZProxy's transport (by reference) vs Kestrel's socket
# transport (copied). Server pinned to CPU 0, client to CPU 1; server CPU (user+system, all
# threads) from /proc/<pid>/stat in clock ticks. Prints one line per run and the medians.
# Usage: run-bench.sh [sizes] [runs] [seconds]   (build first: dotnet build -c Release tests/ZProxy.Transport.Tests)
set -euo pipefail
sizes=${1:-"131072 1048576"}
runs=${2:-5}
seconds=${3:-8}
dll="$(dirname "$0")/../bin/Release/net10.0/ZProxy.Transport.Tests.dll"
port=5099
ticks=$(getconf CLK_TCK)
# utime + stime of the whole process (fields 14 and 15 of /proc/<pid>/stat; the name in field 2 has no spaces here)
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
for size in $sizes; do
  for mode in zerocopy kestrel; do
    results=()
    for run in $(seq "$runs"); do
      coproc SERVER { taskset -c 0 dotnet "$dll" bench-server "$mode" "$size" "$port"; }
      read -r ready pid <&"${SERVER[0]}"
      # warm-up (JIT, tiering), then measure
      taskset -c 1 dotnet "$dll" bench-client "$port" "$size" 4 2 > /dev/null
      before=$(cpu "$pid")
      out=$(taskset -c 1 dotnet "$dll" bench-client "$port" "$size" 4 "$seconds")
      after=$(cpu "$pid")
      busy=$(( (after - before) * 100 / ticks / seconds ))
      echo >&"${SERVER[1]}"
      wait "$SERVER_PID" || true
      requests=$(echo "$out" | awk '{print $2}')
      rps=$(echo "$out" | awk '{print $6}')
      us=$(( (after - before) * 1000000 / ticks / requests ))
      echo "size=$size mode=$mode run=$run requests=$requests rps=$rps server_cpu_busy_pct=$busy server_cpu_us_per_request=$us"
      results+=("$us")
    done
    median=$(printf '%s\n' "${results[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    echo "MEDIAN size=$size mode=$mode server_cpu_us_per_request=$median"
  done
done
