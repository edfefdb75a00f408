# Shared helpers for loadtests/*.sh (sourced, not run).
# Processes are started by the calling script, recorded by PID, and stopped by its trap.

lt_log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
lt_die() { lt_log "error: $*"; exit 1; }

# Installs the Debian packages that provide any missing command. Pairs are "command:package".
# Runs `apt-get update` once, only when something is missing.
lt_ensure_commands() {
  local missing=() pair
  for pair in "$@"; do
    command -v "${pair%%:*}" > /dev/null 2>&1 || missing+=("${pair#*:}")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    lt_die "missing packages: ${missing[*]} (run as root, or apt-get install -y ${missing[*]})"
  fi
  lt_log "installing from Debian: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq > /dev/null
  # Package scripts may try to start the distribution's own services; we never use those.
  apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
}

# A free TCP port on 127.0.0.1, not in use per /proc/net/tcp{,6} and not already handed out.
LT_USED_PORTS=" "
lt_free_port() {
  local port hex tries=0
  while [ "$tries" -lt 200 ]; do
    tries=$((tries + 1))
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 30000))
    case "$LT_USED_PORTS" in *" $port "*) continue ;; esac
    hex=$(printf '%04X' "$port")
    if ! grep -qi ":$hex " /proc/net/tcp /proc/net/tcp6 2> /dev/null; then
      LT_USED_PORTS="$LT_USED_PORTS$port "
      echo "$port"
      return 0
    fi
  done
  lt_die "no free port found"
}

# Waits until a URL answers (any HTTP status) or the deadline in seconds passes.
lt_wait_http() {
  local url=$1 seconds=${2:-60} pid=${3:-} i
  for ((i = 0; i < seconds * 10; i++)); do
    if curl -s -o /dev/null --max-time 2 "$url"; then
      return 0
    fi
    if [ -n "$pid" ] && ! kill -0 "$pid" 2> /dev/null; then
      return 1
    fi
    sleep 0.1
  done
  return 1
}

# Stops recorded PIDs: TERM, a bounded wait, then KILL.
lt_stop_pids() {
  local pid i
  for pid in "$@"; do kill -TERM "$pid" 2> /dev/null || true; done
  for ((i = 0; i < 50; i++)); do
    local alive=0
    for pid in "$@"; do kill -0 "$pid" 2> /dev/null && alive=1; done
    [ "$alive" -eq 0 ] && return 0
    sleep 0.1
  done
  for pid in "$@"; do kill -KILL "$pid" 2> /dev/null || true; done
}

# utime+stime clock ticks of a process and all its descendants (nginx workers, the varnish child,
# every thread of each). From /proc/PID/stat fields 14 and 15 (proc(5)); comm may hold spaces, so
# fields are counted after the last ") ".
lt_tree_ticks() {
  # Processes come and go while /proc is read: a vanished one must not fail the pipeline.
  { cat /proc/[0-9]*/stat 2> /dev/null || true; } | awk -v root="$1" '
    {
      pid = $1
      line = $0
      sub(/^.*\) /, "", line)
      n = split(line, f, " ")
      parent[pid] = f[2]
      ticks[pid] = f[12] + f[13]
    }
    END {
      inset[root] = 1; changed = 1
      while (changed) {
        changed = 0
        for (p in parent) if (!(p in inset) && (parent[p] in inset)) { inset[p] = 1; changed = 1 }
      }
      total = 0
      for (p in inset) total += ticks[p]
      print total
    }'
}

# "busy total" clock ticks of one CPU from /proc/stat (proc(5)). Busy is user+nice+system+irq+steal
# (steal: time the hypervisor took away); softirq is left out of busy because loopback packet
# processing for the proxy's own traffic lands there without being charged to any process.
lt_cpu_ticks() {
  awk -v cpu="cpu$1" '$1 == cpu { busy = $2 + $3 + $4 + $7 + $9; print busy, busy + $5 + $6 + $8 }' /proc/stat
}

# Build configuration of the binaries the scripts run (Release unless --config says otherwise).
export LT_CONFIGURATION=${LT_CONFIGURATION:-Release}

# Builds one project unless LT_NO_BUILD=1.
lt_build() {
  if [ "${LT_NO_BUILD:-0}" = 1 ]; then
    return 0
  fi
  lt_log "building $1 ($LT_CONFIGURATION)"
  dotnet build "$1" -c "$LT_CONFIGURATION" -nologo -v q -clp:ErrorsOnly > "$LT_WORK/build-$(basename "$1").log" 2>&1 \
    || { cat "$LT_WORK/build-$(basename "$1").log" >&2; lt_die "build of $1 failed"; }
}
