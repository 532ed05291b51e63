#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# UDP echo harness: builds the benchmarks module and the C programs, then measures every server
# in SERVERS below against the C load client at each window, on 127.0.0.1 only.
#
#   bash benchmarks/run-echo.sh [--seconds N] [--warmup N] [--windows 1,16,256] [--peers 1,64,1024]
#                               [--pin] [--pin-cpus SERVER,CLIENT] [--servers a,b] [--timeout-ms MS]
#                               [--count N] [--skip-build] [--list]
#
# Output: a table on stdout, benchmarks/target/echo-results.csv, benchmarks/target/echo-chart.svg
# (and echo-raw.csv, echo-machine.txt, one log per server in benchmarks/target/echo-logs/).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
# ECHO_TARGET (the C programs and the outputs) and ECHO_CLASSPATH (instead of the jar) are for
# the harness's own test, which runs this script with --skip-build on what the test compiled.
TARGET="${ECHO_TARGET:-$HERE/target}"
JAR="$TARGET/benchmarks.jar"
CLASS_PATH="${ECHO_CLASSPATH:-$JAR}"

SECONDS_PER_RUN=5
WARMUP=1
WINDOWS="1,16,256"
PEERS="1"
TIMEOUT_MS=200
COUNT=50000000
PIN_SERVER=""
PIN_CLIENT=""
ONLY=""
BUILD=1
LIST=0

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECONDS_PER_RUN="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --windows) WINDOWS="$2"; shift 2 ;;
    --peers) PEERS="$2"; shift 2 ;;
    --timeout-ms) TIMEOUT_MS="$2"; shift 2 ;;
    --count) COUNT="$2"; shift 2 ;;
    --pin) PIN_SERVER=1; PIN_CLIENT=0; shift ;;
    --pin-cpus) PIN_SERVER="${2%,*}"; PIN_CLIENT="${2#*,}"; shift 2 ;;
    --servers) ONLY=",$2,"; shift 2 ;;
    --skip-build) BUILD=0; shift ;;
    --list) LIST=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run-echo.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done

# Server JVMs: fixed heap so GC sizing does not differ between runs; override with JAVA_OPTS.
JAVA_OPTS="${JAVA_OPTS:--Xms256m -Xmx256m}"
JAVA_CMD="java $JAVA_OPTS -cp $CLASS_PATH"

# The server list: one "name|command" line each. A command must bind 127.0.0.1 on a free port,
# print "ready <port>" on stdout once bound, and exit on SIGTERM. The first line is the reference
# the table's "vs C" column divides by. To add a server, add a line (see README.md).
SERVERS=(
  "c-recvmmsg|$TARGET/echo-server-c --port 0 --bind 127.0.0.1"
  "jdk-selector|$JAVA_CMD dev.loopwire.benchmarks.echo.JdkSelectorEchoServer --port 0 --bind 127.0.0.1"
  "jdk-blocking|$JAVA_CMD dev.loopwire.benchmarks.echo.JdkBlockingEchoServer --port 0 --bind 127.0.0.1"
  "netty-nio|$JAVA_CMD dev.loopwire.benchmarks.echo.NettyNioEchoServer --port 0 --bind 127.0.0.1"
  "netty-epoll|$JAVA_CMD dev.loopwire.benchmarks.echo.NettyEpollEchoServer --port 0 --bind 127.0.0.1"
  "netty-io_uring|$JAVA_CMD dev.loopwire.benchmarks.echo.NettyIoUringEchoServer --port 0 --bind 127.0.0.1"
  # loopwire's servers:
  "loopwire-selector|$JAVA_CMD dev.loopwire.benchmarks.echo.LoopwireSelectorEchoServer --port 0 --bind 127.0.0.1"
  "loopwire-completion|$JAVA_CMD dev.loopwire.benchmarks.echo.LoopwireCompletionEchoServer --port 0 --bind 127.0.0.1"
)

if [ "$LIST" = 1 ]; then
  for line in "${SERVERS[@]}"; do echo "${line%%|*}: ${line#*|}"; done
  exit 0
fi

if [ "$BUILD" = 1 ]; then
  echo "== building benchmarks (mvn package) and the C programs (gcc)" >&2
  (cd "$ROOT" && mvn -B -ntp -q -pl benchmarks -am package -DskipTests) >&2
  CFLAGS="-std=c11 -O2 -Wall -Wextra"
  gcc $CFLAGS -o "$TARGET/echo-server-c" "$HERE/src/main/c/echo_server.c"
  gcc $CFLAGS -o "$TARGET/echo-client" "$HERE/src/main/c/echo_client.c" -lm
fi
REQUIRED=("$TARGET/echo-server-c" "$TARGET/echo-client")
[ -n "${ECHO_CLASSPATH:-}" ] || REQUIRED+=("$JAR")
for f in "${REQUIRED[@]}"; do
  [ -e "$f" ] || { echo "run-echo.sh: '$f' is missing; run without --skip-build" >&2; exit 1; }
done

pin() { if [ -n "$1" ]; then echo "taskset -c $1"; fi; }

LOGS="$TARGET/echo-logs"
RAW="$TARGET/echo-raw.csv"
mkdir -p "$LOGS"
{
  echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "cpus: $(nproc) ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'))"
  echo "kernel: $(uname -r)"
  echo "java: $(java -version 2>&1 | head -1); JAVA_OPTS: $JAVA_OPTS"
  echo "gcc: $(gcc --version | head -1)"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "seconds: $SECONDS_PER_RUN, warm-up: $WARMUP, windows: $WINDOWS, peers: $PEERS, timeout: $TIMEOUT_MS ms, size: 64 B"
  echo "pinning: ${PIN_SERVER:+server on CPU $PIN_SERVER, client on CPU $PIN_CLIENT}${PIN_SERVER:-none}"
} > "$TARGET/echo-machine.txt"
cat "$TARGET/echo-machine.txt" >&2
"$TARGET/echo-client" --header | sed 's/^/server,/' > "$RAW"

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

FAILED=()
for line in "${SERVERS[@]}"; do
  name="${line%%|*}"
  cmd="${line#*|}"
  if [ -n "$ONLY" ] && [[ "$ONLY" != *",$name,"* ]]; then continue; fi
  log="$LOGS/$name.log"
  echo "== $name" >&2
  # Empty the log here, not in the background job's redirection: that one runs asynchronously,
  # and the wait below could read the previous run's "ready" line.
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
    FAILED+=("$name")
    stop_server
    continue
  fi
  IFS=',' read -ra wins <<< "$WINDOWS"
  IFS=',' read -ra peer_counts <<< "$PEERS"
  for w in "${wins[@]}"; do
    for p in "${peer_counts[@]}"; do
      if row="$($(pin "$PIN_CLIENT") "$TARGET/echo-client" --port "$port" --window "$w" --peers "$p" \
          --seconds "$SECONDS_PER_RUN" --warmup "$WARMUP" --timeout-ms "$TIMEOUT_MS" --count "$COUNT" \
          --server-pid "$SERVER_PID" 2>>"$log")"; then
        echo "$name,$row" >> "$RAW"
        tail -1 "$log" | sed 's/^echo-client: /   /' >&2
        if [ "$(cut -d, -f3 <<< "$row")" = 0 ]; then
          FAILED+=("$name/$w/$p(no echoes)")
        fi
      else
        echo "   $name window $w, $p peers: the client failed; see $log" >&2
        FAILED+=("$name/$w/$p")
      fi
    done
  done
  stop_server
done

echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$TARGET/echo-machine.txt"
echo >&2
java -cp "$CLASS_PATH" dev.loopwire.benchmarks.report.EchoReport "$RAW" "$TARGET/echo-results.csv" \
  "$TARGET/echo-chart.svg" "${SERVERS[0]%%|*}"
echo
echo "results: $TARGET/echo-results.csv, chart: $TARGET/echo-chart.svg, logs: $LOGS"
if [ ${#FAILED[@]} -gt 0 ]; then
  echo "failed: ${FAILED[*]}" >&2
  exit 1
fi
