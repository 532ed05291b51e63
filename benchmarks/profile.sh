#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Flame graphs of the Java echo servers under the C load client, with async-profiler attached.
#
#   bash benchmarks/profile.sh [--servers loopwire-selector,loopwire-completion] [--window 256]
#                              [--warmup 10] [--seconds 10] [--event cpu|itimer|ctimer]
#                              [--client-args "..."] [--out DIR] [--skip-build] [--list]
#
# Per server, in DIR (default benchmarks/results): DATE-flame-SERVER-cpu.html and .svg (CPU),
# DATE-flame-SERVER-alloc.html and .svg (bytes allocated) and DATE-flame-SERVER-top.txt (settings,
# the client's result lines, CPU by thread, top frames by inclusive and by self share, each
# thread's allocation rate in bytes per echo (JFR), top allocation sites). The HTML is
# async-profiler's own; the SVG is drawn from its collapsed stacks by FlameGraphSvg.
# Needs a JDK (java, jcmd, jfr), gcc and Maven; binds and sends to 127.0.0.1 only.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
TARGET="$HERE/target"
JAR="$TARGET/benchmarks.jar"
LIB="$TARGET/async-profiler/linux-x64/libasyncProfiler.so"

SERVERS_ARG="loopwire-selector,loopwire-completion"
WINDOW=256
WARMUP=10
SECONDS_PER_PROFILE=10
EVENT=""
CLIENT_ARGS=""
OUT="$HERE/results"
BUILD=1
LIST=0

usage() { sed -n '3,14p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --servers) SERVERS_ARG="$2"; shift 2 ;;
    --window) WINDOW="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --seconds) SECONDS_PER_PROFILE="$2"; shift 2 ;;
    --event) EVENT="$2"; shift 2 ;;
    --client-args) CLIENT_ARGS="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --skip-build) BUILD=0; shift ;;
    --list) LIST=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "profile.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
for n in "$WINDOW" "$WARMUP" "$SECONDS_PER_PROFILE"; do
  [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -gt 0 ] || { echo "profile.sh: '$n' is not a positive whole number" >&2; exit 2; }
done

# The Java servers of run-echo.sh, by the same names (main classes in dev.loopwire.benchmarks.echo).
server_class() {
  case "$1" in
    loopwire-selector) echo LoopwireSelectorEchoServer ;;
    loopwire-completion) echo LoopwireCompletionEchoServer ;;
    jdk-selector) echo JdkSelectorEchoServer ;;
    jdk-blocking) echo JdkBlockingEchoServer ;;
    netty-nio) echo NettyNioEchoServer ;;
    netty-epoll) echo NettyEpollEchoServer ;;
    netty-io_uring) echo NettyIoUringEchoServer ;;
    *) return 1 ;;
  esac
}
if [ "$LIST" = 1 ]; then
  for s in loopwire-selector loopwire-completion jdk-selector jdk-blocking netty-nio netty-epoll netty-io_uring; do
    echo "$s: dev.loopwire.benchmarks.echo.$(server_class "$s")"
  done
  exit 0
fi
IFS=',' read -ra SERVERS <<< "$SERVERS_ARG"
for s in "${SERVERS[@]}"; do
  server_class "$s" > /dev/null || { echo "profile.sh: unknown server '$s'; --list shows the names" >&2; exit 2; }
done

if [ "$BUILD" = 1 ]; then
  echo "== building benchmarks (mvn package), async-profiler (mvn dependency:unpack) and the C client (gcc)" >&2
  (cd "$ROOT" && mvn -B -ntp -q -pl benchmarks -am package -DskipTests) >&2
  # async-profiler comes from Maven Central (tools.profiler:async-profiler), see benchmarks/pom.xml.
  (cd "$ROOT" && mvn -B -ntp -q -pl benchmarks dependency:unpack@async-profiler) >&2
  gcc -std=c11 -O2 -Wall -Wextra -o "$TARGET/echo-client" "$HERE/src/main/c/echo_client.c" -lm
fi
for f in "$JAR" "$LIB" "$TARGET/echo-client"; do
  [ -e "$f" ] || { echo "profile.sh: '$f' is missing; run without --skip-build" >&2; exit 1; }
done
command -v jcmd > /dev/null || { echo "profile.sh: 'jcmd' (JDK) is not on PATH; it attaches the profiler" >&2; exit 1; }

# CPU sampling: async-profiler's "cpu" event needs perf_events. perf_event_paranoid 2 (the
# usual default) still allows them for user code; above 2 (Debian's 3, or a container that
# refuses the syscall) only the itimer/ctimer fallbacks work. A refusal seen at start switches
# to itimer below as well.
PARANOID="$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null || echo unknown)"
EVENT_REASON="--event $EVENT"
if [ -z "$EVENT" ]; then
  if [ "$PARANOID" = unknown ] || { [ "$PARANOID" -gt 2 ] && [ "$(id -u)" != 0 ]; }; then
    EVENT=itimer
    EVENT_REASON="perf_event_paranoid is $PARANOID: perf events refused, itimer instead"
  else
    EVENT=cpu
    EVENT_REASON="perf_event_paranoid is $PARANOID: perf events allowed"
  fi
fi
echo "== CPU event: $EVENT ($EVENT_REASON)" >&2

# Each profile runs in a JVM of its own. StartAttachListener: a background job starts with
# SIGQUIT ignored, so jcmd's usual signal would never reach the JVM. DebugNonSafepoints: CPU
# samples map to the right Java line. Small fixed TLABs (allocation JVM only): async-profiler
# samples allocations once per TLAB, and a loop thread that allocates a few bytes per datagram
# would otherwise give a handful of samples a minute.
CPU_JVM_OPTS="${JAVA_OPTS:--Xms256m -Xmx256m} -XX:+StartAttachListener -XX:+UnlockDiagnosticVMOptions"
CPU_JVM_OPTS="$CPU_JVM_OPTS -XX:+DebugNonSafepoints"
ALLOC_JVM_OPTS="$CPU_JVM_OPTS -XX:TLABSize=2k -XX:-ResizeTLAB"
DATE="$(date -u +%Y-%m-%d)"
WORK="$TARGET/profile"
mkdir -p "$OUT" "$WORK"
cat > "$WORK/thread-allocation.jfc" <<'JFC'
<?xml version="1.0" encoding="UTF-8"?>
<configuration version="2.0" label="profile.sh" description="Bytes allocated per thread, nothing else">
  <event name="jdk.ThreadAllocationStatistics">
    <setting name="enabled">true</setting>
    <setting name="period">1 s</setting>
  </event>
</configuration>
JFC

SERVER_PID=""
CLIENT_PID=""
stop_all() {
  if [ -n "$CLIENT_PID" ]; then kill "$CLIENT_PID" 2>/dev/null || true; wait "$CLIENT_PID" 2>/dev/null || true; fi
  CLIENT_PID=""
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
trap stop_all EXIT
trap 'stop_all; exit 130' INT TERM

# Sends one command to the agent in the server JVM (loaded on first use, like asprof does).
# jcmd splits its arguments at '=' unless the option string is quoted inside.
profiler() {
  local reply
  reply="$(jcmd "$SERVER_PID" JVMTI.agent_load "$LIB" "\"$1\"" 2>&1)" || true
  if ! grep -q 'return code: 0' <<< "$reply"; then
    echo "profile.sh: async-profiler refused '$1':" >&2
    sed 's/^/   | /' <<< "$reply" >&2
    return 1
  fi
}

# Draws the SVG flame graph $2 of the collapsed stacks $1 (kind $4: cpu or alloc) under the title $3.
# The stacks come from a dump with "ann", which marks each Java frame with how it ran (_[j] JIT,
# _[i] inlined, _[0] interpreted, _[1] C1) beside the kernel's _[k], for the colors; the summaries
# below read a dump without it, so that a method inlined in one place and compiled in another
# stays one line.
flame_svg() {
  java -cp "$JAR" dev.loopwire.benchmarks.report.FlameGraphSvg "$1" "$2" "$3" "$4"
}

# Summaries of a collapsed-stacks file ("[thread tid=N];frame;...;leaf count" per line). The
# last stage reads everything (no head): under pipefail, a reader that stops early fails the run.
first() { awk -v n="$1" 'NR <= n'; }
cpu_by_thread() {
  awk '{ n = $NF; split($0, f, ";"); t = f[1]; sub(/ tid=[0-9]+\]$/, "]", t); by[t] += n; total += n }
       END { for (t in by) printf "%6.1f%%  %s\n", 100 * by[t] / total, t }' "$1" | sort -rn | first 12
}
cpu_inclusive() {
  awk '{ n = $NF; line = $0; sub(/ [0-9]+$/, "", line); k = split(line, f, ";"); delete seen
         for (i = 2; i <= k; i++) if (!(f[i] in seen)) { seen[f[i]] = 1; by[f[i]] += n }
         total += n }
       END { for (x in by) printf "%6.1f%%  %s\n", 100 * by[x] / total, x }' "$1" | sort -rn | first 40
}
cpu_self() {
  awk '{ n = $NF; line = $0; sub(/ [0-9]+$/, "", line); k = split(line, f, ";"); by[f[k]] += n; total += n }
       END { for (x in by) printf "%6.1f%%  %s\n", 100 * by[x] / total, x }' "$1" | sort -rn | first 25
}
alloc_sites() {
  awk '{ n = $NF; line = $0; sub(/ [0-9]+$/, "", line); k = split(line, f, ";")
         t = f[1]; sub(/ tid=[0-9]+\]$/, "]", t)
         site = t " " f[k]; for (i = k - 1; i > 1 && i >= k - 6; i--) site = site " <- " f[i]
         by[site] += n; total += n }
       END { for (s in by) printf "%12d B  %5.1f%%  %s\n", by[s], 100 * by[s] / total, s }' "$1" | sort -rn | first 15
}

# Starts the server (main class $1, JVM options $2, log $3); sets SERVER_PID and PORT.
start_server() {
  : > "$3"
  bash -c "exec java $2 -cp $JAR $1 --port 0 --bind 127.0.0.1" >> "$3" 2>&1 &
  SERVER_PID=$!
  PORT=""
  for _ in $(seq 600); do
    PORT="$(sed -n 's/^ready \([0-9][0-9]*\)$/\1/p' "$3" | head -1)"
    [ -n "$PORT" ] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "   $1 did not print 'ready <port>' within 60 s; see $3" >&2
  return 1
}

# Starts the load client ($1 names its files) on port $2 and returns after its warm-up ($3 s).
start_client() {
  # shellcheck disable=SC2086 # CLIENT_ARGS is a list of options on purpose
  "$TARGET/echo-client" --port "$2" --window "$WINDOW" --warmup "$3" --seconds "$SECONDS_PER_PROFILE" \
      --server-pid "$SERVER_PID" $CLIENT_ARGS > "$WORK/$1-client.csv" 2> "$WORK/$1-client.err" &
  CLIENT_PID=$!
  sleep "$3"
}
finish_client() {
  local status=0
  wait "$CLIENT_PID" || status=$?
  CLIENT_PID=""
  if [ "$status" != 0 ]; then echo "   the client failed ($status); see $WORK/$1-client.err" >&2; fi
  return "$status"
}

# Each thread's allocation rate between the first and the last jdk.ThreadAllocationStatistics
# event (one a second) that falls between $2 and $3 (UTC, HH:MM:SS.N), over the client's echoes
# per second ($4): "thread B/s B/echo", busiest first.
thread_allocation() {
  jfr print --json --events jdk.ThreadAllocationStatistics "$1" | awk -v from="$2" -v to="$3" -v rate="$4" '
    function seconds(hms,  p) { split(hms, p, ":"); return p[1] * 3600 + p[2] * 60 + p[3] }
    BEGIN { from = seconds(from); to = seconds(to) }
    /"startTime":/ { t = $0; sub(/^.*T/, "", t); sub(/Z.*$/, "", t); t = seconds(t) }
    /"allocated":/ { bytes = $2; gsub(/[^0-9]/, "", bytes); bytes += 0 }
    /"javaName":/ { if (t < from || t > to) next
                    name = $0; sub(/^[^:]*: "/, "", name); sub(/",? *$/, "", name)
                    if (!(name in t0) || t < t0[name]) { t0[name] = t; b0[name] = bytes }
                    if (!(name in t1) || t > t1[name]) { t1[name] = t; b1[name] = bytes } }
    END { for (n in t0) if (t1[n] > t0[n]) { r = (b1[n] - b0[n]) / (t1[n] - t0[n])
            printf "%12.0f B/s  %8.3f B/echo  %s (%.1f s)\n", r, (rate > 0 ? r / rate : 0), n, t1[n] - t0[n] } }' |
    sort -rn | first 8
}

FAILED=()
for name in "${SERVERS[@]}"; do
  class="dev.loopwire.benchmarks.echo.$(server_class "$name")"
  log="$WORK/$name-cpu.log"
  cpu_html="$OUT/$DATE-flame-$name-cpu.html"
  alloc_html="$OUT/$DATE-flame-$name-alloc.html"
  cpu_svg="$OUT/$DATE-flame-$name-cpu.svg"
  alloc_svg="$OUT/$DATE-flame-$name-alloc.svg"
  top="$OUT/$DATE-flame-$name-top.txt"
  echo "== $name ($class)" >&2
  # Allocation, in its own JVM: a sample per TLAB (2 KiB), weighed in bytes (total). JFR counts
  # every thread's allocated bytes exactly (jdk.ThreadAllocationStatistics, once a second), for a
  # bytes-per-echo figure beside the sampled flame graph; started before the load (JFR's own
  # start-up allocates a lot, on the attach thread).
  if ! start_server "$class" "$ALLOC_JVM_OPTS" "$WORK/$name-alloc.log"; then FAILED+=("$name"); stop_all; continue; fi
  jcmd "$SERVER_PID" JFR.start name=profile-sh settings="$WORK/thread-allocation.jfc" \
      filename="$WORK/$name-alloc.jfr" > /dev/null
  # One client run per profile: the profile starts after the client's warm-up and stops when
  # the client is done, so it covers load only (attaching takes a moment, so does the end).
  start_client "$name-alloc" "$PORT" "$WARMUP"
  profiler "start,alloc=1k,threads"
  alloc_from="$(date -u +%H:%M:%S.%N)"
  finish_client "$name-alloc" || FAILED+=("$name(alloc client)")
  alloc_to="$(date -u +%H:%M:%S.%N)"
  profiler "dump,collapsed,total,file=$WORK/$name-alloc.collapsed"
  profiler "dump,collapsed,total,ann,file=$WORK/$name-alloc-ann.collapsed"
  profiler "stop,total,title=$name allocation (bytes) at window $WINDOW,file=$alloc_html"
  jcmd "$SERVER_PID" JFR.stop name=profile-sh > /dev/null
  stop_all

  # CPU, in a fresh JVM without the small TLABs and JFR.
  if ! start_server "$class" "$CPU_JVM_OPTS" "$log"; then FAILED+=("$name"); stop_all; continue; fi
  event="$EVENT"
  reason="$EVENT_REASON"
  start_client "$name-cpu" "$PORT" "$WARMUP"
  if ! profiler "start,event=$event,interval=1000000,threads"; then FAILED+=("$name"); stop_all; continue; fi
  if [ "$event" = cpu ] && grep -q 'perf_event_open.*failed\|Perf events unavailable' "$log"; then
    profiler "stop" || true
    event=itimer
    reason="perf events refused at start (see $log), itimer instead"
    echo "   $reason" >&2
    profiler "start,event=$event,interval=1000000,threads"
  fi
  finish_client "$name-cpu" || FAILED+=("$name(cpu client)")
  profiler "dump,collapsed,file=$WORK/$name-cpu.collapsed"
  profiler "dump,collapsed,ann,file=$WORK/$name-cpu-ann.collapsed"
  profiler "stop,title=$name CPU (event $event) at window $WINDOW,file=$cpu_html"
  stop_all
  flame_svg "$WORK/$name-cpu-ann.collapsed" "$cpu_svg" \
      "$name: CPU (event $event, every 1 ms) at window $WINDOW, $DATE" cpu || FAILED+=("$name(cpu svg)")
  flame_svg "$WORK/$name-alloc-ann.collapsed" "$alloc_svg" \
      "$name: bytes allocated (one sample per 2 KiB TLAB) at window $WINDOW, $DATE" alloc || FAILED+=("$name(alloc svg)")
  {
    echo "$name ($class), profiled $(date -u '+%Y-%m-%d %H:%M UTC') by benchmarks/profile.sh"
    echo "host: $(nproc) CPUs, kernel $(uname -r), $(java -version 2>&1 | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "load: echo-client --window $WINDOW $CLIENT_ARGS; each profile: ${WARMUP} s warm-up, then ${SECONDS_PER_PROFILE} s, in a JVM of its own"
    echo "CPU event: $event every 1 ms ($reason); allocation: one sample per TLAB"
    echo "CPU JVM: $CPU_JVM_OPTS"
    echo "allocation JVM: $ALLOC_JVM_OPTS"
    echo "client during the CPU profile: $(tail -1 "$WORK/$name-cpu-client.err" | sed 's/^echo-client: //')"
    echo "client during the allocation profile: $(tail -1 "$WORK/$name-alloc-client.err" | sed 's/^echo-client: //')"
    echo
    echo "CPU samples by thread:"
    cpu_by_thread "$WORK/$name-cpu.collapsed"
    echo
    echo "CPU, top frames by inclusive share (all threads; a frame counts once per sample):"
    cpu_inclusive "$WORK/$name-cpu.collapsed"
    echo
    echo "CPU, top frames by self share (all threads):"
    cpu_self "$WORK/$name-cpu.collapsed"
    echo
    echo "Allocation rate by thread during the allocation profile (JFR), over the client's echoes/s:"
    thread_allocation "$WORK/$name-alloc.jfr" "$alloc_from" "$alloc_to" "$(cut -d, -f5 "$WORK/$name-alloc-client.csv")"
    echo
    echo "Allocation, top sites (thread, class <- allocating frames), bytes sampled:"
    if [ -s "$WORK/$name-alloc.collapsed" ]; then
      alloc_sites "$WORK/$name-alloc.collapsed"
    else
      echo "  none: no TLAB was filled during the profile (async-profiler: \"No samples were collected\")"
    fi
  } > "$top"
  echo "   $cpu_html" >&2
  echo "   $cpu_svg" >&2
  echo "   $alloc_html" >&2
  echo "   $alloc_svg" >&2
  echo "   $top" >&2
done

if [ ${#FAILED[@]} -gt 0 ]; then
  echo "failed: ${FAILED[*]}" >&2
  exit 1
fi
