#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# TCP echo harness: builds the benchmarks module and the C programs, then measures every server
# in SERVERS below against the C load client, on 127.0.0.1 only: request/response at each
# connection count, then bulk on one connection.
#
#   bash benchmarks/run-tcp.sh [--seconds N] [--warmup N] [--connections 1,64,1000] [--runs N]
#                              [--modes rr,bulk] [--servers a,b] [--timeout-ms MS] [--pin]
#                              [--pin-cpus SERVER,CLIENT] [--skip-build] [--list]
#
# Output: a table on stdout, benchmarks/target/tcp-results.csv (and tcp-raw.csv,
# tcp-machine.txt, one log per server and run in benchmarks/target/tcp-logs/).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
TARGET="$HERE/target"
JAR="$TARGET/benchmarks.jar"

SECONDS_PER_RUN=5
WARMUP=2
CONNECTIONS="1,64,1000"
RUNS=1
MODES="rr,bulk"
TIMEOUT_MS=2000
PIN_SERVER=""
PIN_CLIENT=""
ONLY=""
BUILD=1
LIST=0

usage() { sed -n '3,12p' "$0" | sed 's/^# \{0,1\}//'; }
die_usage() { echo "run-tcp.sh: $1" >&2; usage >&2; exit 2; }

# A positive integer (or, with "decimal", a positive number) or exit 2 naming the option.
check_number() {
  local name="$1" value="$2" kind="${3:-integer}"
  if [ "$kind" = decimal ]; then
    [[ "$value" =~ ^[0-9]+(\.[0-9]+)?$ ]] && [[ ! "$value" =~ ^0+(\.0+)?$ ]] && return 0
    die_usage "bad value '$value' for $name: expected a positive number of seconds"
  fi
  [[ "$value" =~ ^[1-9][0-9]*$ ]] && return 0
  die_usage "bad value '$value' for $name: expected a positive integer"
}
need_value() { [ $# -ge 2 ] || die_usage "$1 needs a value"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) need_value "$@"; check_number "$1" "$2" decimal; SECONDS_PER_RUN="$2"; shift 2 ;;
    --warmup) need_value "$@"
      [[ "$2" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die_usage "bad value '$2' for --warmup: expected a number of seconds (0 or more)"
      WARMUP="$2"; shift 2 ;;
    --connections) need_value "$@"
      IFS=',' read -ra _counts <<< "$2"
      [ ${#_counts[@]} -gt 0 ] || die_usage "bad value '$2' for --connections: expected counts such as 1,64,1000"
      for _c in "${_counts[@]}"; do
        [[ "$_c" =~ ^[1-9][0-9]*$ ]] && [ "$_c" -le 100000 ] \
          || die_usage "bad value '$2' for --connections: '$_c' is not a count from 1 to 100000 (use e.g. 1,64,1000)"
      done
      CONNECTIONS="$2"; shift 2 ;;
    --runs) need_value "$@"; check_number "$1" "$2"; RUNS="$2"; shift 2 ;;
    --modes) need_value "$@"
      [[ "$2" =~ ^(rr|bulk)(,(rr|bulk))?$ ]] || die_usage "bad value '$2' for --modes: expected rr, bulk or rr,bulk"
      MODES="$2"; shift 2 ;;
    --timeout-ms) need_value "$@"; check_number "$1" "$2"; TIMEOUT_MS="$2"; shift 2 ;;
    --pin) PIN_SERVER=1; PIN_CLIENT=0; shift ;;
    --pin-cpus) need_value "$@"
      [[ "$2" =~ ^[0-9]+,[0-9]+$ ]] || die_usage "bad value '$2' for --pin-cpus: expected SERVER_CPU,CLIENT_CPU such as 1,0"
      PIN_SERVER="${2%,*}"; PIN_CLIENT="${2#*,}"; shift 2 ;;
    --servers) need_value "$@"; ONLY=",$2,"; shift 2 ;;
    --skip-build) BUILD=0; shift ;;
    --list) LIST=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die_usage "unknown argument '$1'" ;;
  esac
done

# Server JVMs: fixed heap so GC sizing does not differ between runs; override with JAVA_OPTS.
JAVA_OPTS="${JAVA_OPTS:--Xms256m -Xmx256m}"
JAVA_CMD="java $JAVA_OPTS -cp $JAR"

# The server list: one "name|command" line each. A command must listen on 127.0.0.1 on a free
# port, print "ready <port>" on stdout once listening, echo every byte on every connection, and
# exit on SIGTERM. The first line is the reference the table's "vs" column divides by. To add a
# server, add a line (see README.md, "The TCP harness").
SERVERS=(
  "c-epoll|$TARGET/tcp-server-c --port 0 --bind 127.0.0.1"
  "netty-nio|$JAVA_CMD dev.loopwire.benchmarks.tcp.NettyNioTcpEchoServer --port 0 --bind 127.0.0.1"
  "netty-epoll|$JAVA_CMD dev.loopwire.benchmarks.tcp.NettyEpollTcpEchoServer --port 0 --bind 127.0.0.1"
  "netty-io_uring|$JAVA_CMD dev.loopwire.benchmarks.tcp.NettyIoUringTcpEchoServer --port 0 --bind 127.0.0.1"
  "loopwire-selector|$JAVA_CMD dev.loopwire.benchmarks.tcp.LoopwireSelectorTcpEchoServer --port 0 --bind 127.0.0.1"
  "loopwire-completion|$JAVA_CMD dev.loopwire.benchmarks.tcp.LoopwireCompletionTcpEchoServer --port 0 --bind 127.0.0.1"
)

if [ "$LIST" = 1 ]; then
  for line in "${SERVERS[@]}"; do echo "${line%%|*}: ${line#*|}"; done
  exit 0
fi

if [ -n "$ONLY" ]; then
  IFS=',' read -ra _wanted <<< "${ONLY:1:${#ONLY}-2}"
  for w in "${_wanted[@]}"; do
    found=0
    for line in "${SERVERS[@]}"; do [ "${line%%|*}" = "$w" ] && found=1; done
    [ "$found" = 1 ] || die_usage "unknown server '$w' in --servers; --list shows the names"
  done
fi

# File descriptors: the client holds one socket per connection, and so does the server (each in
# its own process, with its own limit, inherited from this shell). Raise the soft limit up to
# the hard one; fail now, clearly, rather than with EMFILE in the middle of a run.
max_connections=0
IFS=',' read -ra _counts <<< "$CONNECTIONS"
for _c in "${_counts[@]}"; do [ "$_c" -gt "$max_connections" ] && max_connections="$_c"; done
NEED_FDS=$((max_connections + 256)) # + the JVM's jars, epoll/io_uring fds, stdio
soft="$(ulimit -Sn)"
hard="$(ulimit -Hn)"
if [ "$soft" != unlimited ] && [ "$soft" -lt "$NEED_FDS" ]; then
  ulimit -Sn "$hard" 2>/dev/null || ulimit -Sn "$NEED_FDS" 2>/dev/null || true
  soft="$(ulimit -Sn)"
fi
if [ "$soft" != unlimited ] && [ "$soft" -lt "$NEED_FDS" ]; then
  echo "run-tcp.sh: $max_connections connections need $NEED_FDS file descriptors per process (client and" \
    "server each), but 'ulimit -n' is $soft and cannot go higher (hard limit $hard). Raise the hard limit" \
    "(as root: ulimit -Hn $NEED_FDS, or nofile in /etc/security/limits.conf) or measure fewer connections" \
    "(--connections 1,64)." >&2
  exit 1
fi

if [ "$BUILD" = 1 ]; then
  echo "== building benchmarks (mvn package) and the C programs (gcc)" >&2
  (cd "$ROOT" && mvn -B -ntp -q -pl benchmarks -am package -DskipTests) >&2
  CFLAGS="-std=c11 -O2 -Wall -Wextra"
  gcc $CFLAGS -o "$TARGET/tcp-server-c" "$HERE/src/main/c/tcp_server.c"
  gcc $CFLAGS -o "$TARGET/tcp-client" "$HERE/src/main/c/tcp_client.c"
fi
for f in "$JAR" "$TARGET/tcp-server-c" "$TARGET/tcp-client"; do
  [ -e "$f" ] || { echo "run-tcp.sh: '$f' is missing; run without --skip-build" >&2; exit 1; }
done

pin() { if [ -n "$1" ]; then echo "taskset -c $1"; fi; }

LOGS="$TARGET/tcp-logs"
RAW="$TARGET/tcp-raw.csv"
mkdir -p "$LOGS"
{
  echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "cpus: $(nproc) ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'))"
  echo "kernel: $(uname -r)"
  echo "java: $(java -version 2>&1 | head -1); JAVA_OPTS: $JAVA_OPTS"
  echo "gcc: $(gcc --version | head -1)"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "seconds: $SECONDS_PER_RUN, warm-up: $WARMUP, runs: $RUNS, modes: $MODES, rr connections: $CONNECTIONS," \
    "bulk connections: 1, message: 64 B, bulk writes: 64 KiB, timeout: $TIMEOUT_MS ms"
  echo "ulimit -n: $(ulimit -Sn) (hard $(ulimit -Hn)); tcp_rmem: $(cat /proc/sys/net/ipv4/tcp_rmem 2>/dev/null);" \
    "tcp_wmem: $(cat /proc/sys/net/ipv4/tcp_wmem 2>/dev/null); somaxconn: $(cat /proc/sys/net/core/somaxconn 2>/dev/null)"
  echo "pinning: ${PIN_SERVER:+server on CPU $PIN_SERVER, client on CPU $PIN_CLIENT}${PIN_SERVER:-none}"
} > "$TARGET/tcp-machine.txt"
cat "$TARGET/tcp-machine.txt" >&2
echo "server,run,$("$TARGET/tcp-client" --header)" > "$RAW"

SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
trap stop_server EXIT
trap 'stop_server; exit 130' INT TERM

# The measurements of one server start: rr at each connection count, then bulk on one connection.
CASES=()
[[ ",$MODES," == *",rr,"* ]] && for c in "${_counts[@]}"; do CASES+=("rr $c"); done
[[ ",$MODES," == *",bulk,"* ]] && CASES+=("bulk 1")

FAILED=()
# Runs are the outer loop: a disturbance on the shared machine then hits one run of every
# server rather than every run of one server.
for run in $(seq "$RUNS"); do
  for line in "${SERVERS[@]}"; do
    name="${line%%|*}"
    cmd="${line#*|}"
    if [ -n "$ONLY" ] && [[ "$ONLY" != *",$name,"* ]]; then continue; fi
    log="$LOGS/$name-run$run.log"
    echo "== $name (run $run of $RUNS)" >&2
    : > "$log"
    # exec: $SERVER_PID is the server itself (taskset execs too), so /proc/<pid>/stat is its CPU.
    bash -c "exec $(pin "$PIN_SERVER") $cmd" >> "$log" 2>&1 &
    SERVER_PID=$!
    port=""
    for _ in $(seq 600); do
      port="$(sed -n 's/^ready \([0-9][0-9]*\)$/\1/p' "$log" | head -1)"
      [ -n "$port" ] && break
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    if [ -z "$port" ]; then
      echo "   $name did not print 'ready <port>' within 60 s; see $log:" >&2
      sed 's/^/   | /' "$log" | tail -20 >&2
      FAILED+=("$name/run$run")
      stop_server
      continue
    fi
    for case in "${CASES[@]}"; do
      read -r mode conns <<< "$case"
      status=0
      # The client bounds every phase itself; timeout(1) is the last resort against a hang.
      row="$(timeout --signal=TERM --kill-after=10 $(( ${SECONDS_PER_RUN%.*} + ${WARMUP%.*} + 60 + 3 * TIMEOUT_MS / 1000 )) \
        $(pin "$PIN_CLIENT") "$TARGET/tcp-client" --port "$port" --mode "$mode" --connections "$conns" \
        --seconds "$SECONDS_PER_RUN" --warmup "$WARMUP" --timeout-ms "$TIMEOUT_MS" \
        --server-pid "$SERVER_PID" 2>>"$log")" || status=$?
      if [ -n "$row" ] && { [ "$status" = 0 ] || [ "$status" = 4 ]; }; then
        echo "$name,$run,$row" >> "$RAW"
        tail -1 "$log" | sed 's/^tcp-client: /   /' >&2
        [ "$status" = 4 ] && FAILED+=("$name/$mode-$conns/run$run(errors)")
      else
        echo "   $name $mode with $conns connections: the client failed (exit $status); see $log" >&2
        FAILED+=("$name/$mode-$conns/run$run")
      fi
      if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "   $name exited during the run; see $log" >&2
        FAILED+=("$name/run$run(server died)")
        break
      fi
    done
    stop_server
  done
done

echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$TARGET/tcp-machine.txt"
echo >&2
java -cp "$JAR" dev.loopwire.benchmarks.tcp.TcpReport "$RAW" "$TARGET/tcp-results.csv" "${SERVERS[0]%%|*}"
echo
echo "results: $TARGET/tcp-results.csv, machine: $TARGET/tcp-machine.txt, logs: $LOGS"
if [ ${#FAILED[@]} -gt 0 ]; then
  echo "failed: ${FAILED[*]}" >&2
  exit 1
fi
