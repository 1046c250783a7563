#!/usr/bin/env bash
# bench/run.sh — reach's benchmarks, all on loopback, in about two minutes on 2 cores:
#   1. JMH (bench/src/main/java/dev/reach/bench/RunnerBench.java): the playbook runner's cost per run and
#      per step, with a probe that does nothing; and one probe through Reach.probe(...).
#   2. hyperfine: the whole process, `./reach probe tcp.connect ... --quiet` against `nc -z` on an open and
#      a closed port of 127.0.0.1, and `./reach --version` (start-up alone) against `java -version`; then
#      the same probes handed to a resident reach (`reach daemon start`, stopped by its PID at the end).
# Results go to bench/results/ (gitignored): jmh.json/txt, hyperfine-*.json/md, summary.md.
#
# Environment: JAVA_HOME (a JDK 25; default /usr/lib/jvm/temurin-25-jdk-amd64 when unset),
#   BENCH_NO_BUILD=1 (skip the Maven build), BENCH_SKIP_JMH=1, BENCH_SKIP_PROCESS=1,
#   JMH_ARGS (extra JMH arguments, e.g. "-i 10" or a benchmark regex like "RunnerBench.playbookPlain"),
#   RUNS (hyperfine runs per command, default 20), WARMUP (default 3).
#
# Network: only 127.0.0.1. The open port is a listener this script starts on 127.0.0.1 (bounded to
# BENCH_LISTEN_SECONDS, default 300 s, and 100000 connections) and stops by its PID on exit.
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
bench="$root/bench"
results="$bench/results"
runs="${RUNS:-20}"
warmup="${WARMUP:-3}"
listen_seconds="${BENCH_LISTEN_SECONDS:-300}"

if [ -z "${JAVA_HOME:-}" ] && [ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"

need() { # need CMD "how to get it"
  command -v "$1" >/dev/null 2>&1 || { echo "bench: '$1' is missing; $2" >&2; exit 2; }
}
need python3 "install Python 3 (it starts the loopback listener and writes the summary)"
"$java" -version >/dev/null 2>&1 || { echo "bench: no java at '$java'; set JAVA_HOME to a JDK 25" >&2; exit 2; }
if [ "${BENCH_SKIP_PROCESS:-}" != 1 ]; then
  need hyperfine "install it with: apt-get install hyperfine"
  need nc "install netcat-openbsd with: apt-get install netcat-openbsd"
fi

mkdir -p "$results"
# Only this run's figures in the summary: drop the old files of the parts that run now.
[ "${BENCH_SKIP_JMH:-}" = 1 ] || rm -f "$results"/jmh.*
[ "${BENCH_SKIP_PROCESS:-}" = 1 ] || rm -f "$results"/hyperfine-*
rm -f "$results/summary.md"
load_start="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
started=$SECONDS
failed=0
listener_pid=""
resident_pid=""
tmp="$(mktemp -d)"
cleanup() {
  if [ -n "$listener_pid" ]; then kill "$listener_pid" 2>/dev/null || true; wait "$listener_pid" 2>/dev/null || true; fi
  if [ -n "$resident_pid" ]; then kill "$resident_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------------- build
if [ "${BENCH_NO_BUILD:-}" != 1 ]; then
  echo "== building (./mvnw -q -DskipTests install)" >&2
  (cd "$root" && ./mvnw -q -B -DskipTests install)
fi
[ -f "$bench/target/classpath.txt" ] && [ -f "$bench/target/classes/META-INF/BenchmarkList" ] \
  || { echo "bench: bench/target is not built; run without BENCH_NO_BUILD" >&2; exit 2; }

# ------------------------------------------------------------------------------------------------ JMH
if [ "${BENCH_SKIP_JMH:-}" != 1 ]; then
  echo "== JMH: RunnerBench (1 fork, 3x1s warm-up, 5x1s measurement per benchmark)" >&2
  # shellcheck disable=SC2086
  "$java" -cp "$bench/target/classes:$(cat "$bench/target/classpath.txt")" org.openjdk.jmh.Main \
      -rf json -rff "$results/jmh.json" ${JMH_ARGS:-RunnerBench} 2>&1 \
    | grep -v 'INFO org.pf4j' | tee "$results/jmh.txt"
fi

# ------------------------------------------------------------------------------------ whole process
if [ "${BENCH_SKIP_PROCESS:-}" != 1 ]; then
  # An open port: a listener on 127.0.0.1 that accepts and closes, bounded in time and count.
  python3 - "$tmp/port" "$listen_seconds" <<'EOF' &
import socket, sys, time
out, limit = sys.argv[1], float(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(128)
s.settimeout(0.5)
with open(out + ".tmp", "w") as f:
    f.write(str(s.getsockname()[1]))
import os; os.rename(out + ".tmp", out)
deadline, n = time.monotonic() + limit, 0
while n < 100000 and time.monotonic() < deadline:
    try:
        c, _ = s.accept()
    except socket.timeout:
        continue
    c.close()
    n += 1
EOF
  listener_pid=$!
  for _ in $(seq 50); do [ -s "$tmp/port" ] && break; sleep 0.1; done
  [ -s "$tmp/port" ] || { echo "bench: the loopback listener did not start" >&2; exit 2; }
  open_port="$(cat "$tmp/port")"
  # A closed port: one the kernel just handed out and nobody holds any more.
  closed_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
  nc -z -w 1 127.0.0.1 "$open_port" || { echo "bench: port $open_port should be open" >&2; exit 2; }
  if nc -z -w 1 127.0.0.1 "$closed_port"; then echo "bench: port $closed_port should be closed" >&2; exit 2; fi

  # The launcher builds the distribution when it is missing or stale: do that now, not while measuring.
  "$root/reach" --version >/dev/null || { echo "bench: ./reach --version failed (see above); nothing measured" >&2; exit 2; }
  "$root/reach" probe --help >/dev/null   # the start-up cache of 'reach probe', made on its first use
  stamp="$root/dist/target/reach/.built"
  stamp_before="$(stat -c %Y.%y "$stamp" 2>/dev/null || echo none)"

  reach="$root/reach"
  export REACH_RESIDENT=0   # each reach command in a JVM of its own, even if a resident reach runs here
  hf=(hyperfine --shell=none --warmup "$warmup" --runs "$runs" --style basic)
  echo "== hyperfine: open port 127.0.0.1:$open_port" >&2
  "${hf[@]}" --export-json "$results/hyperfine-open.json" --export-markdown "$results/hyperfine-open.md" \
      -n "reach probe (open)" "$reach probe tcp.connect host=127.0.0.1 port=$open_port --quiet" \
      -n "nc -z (open)" "nc -z -w 1 127.0.0.1 $open_port" || failed=1
  echo "== hyperfine: closed port 127.0.0.1:$closed_port (both exit 1: -i)" >&2
  "${hf[@]}" -i --export-json "$results/hyperfine-closed.json" --export-markdown "$results/hyperfine-closed.md" \
      -n "reach probe (closed)" "$reach probe tcp.connect host=127.0.0.1 port=$closed_port --quiet" \
      -n "nc -z (closed)" "nc -z -w 1 127.0.0.1 $closed_port" || failed=1
  echo "== hyperfine: start-up alone" >&2
  "${hf[@]}" --export-json "$results/hyperfine-startup.json" --export-markdown "$results/hyperfine-startup.md" \
      -n "reach --version" "$reach --version" \
      -n "java -version" "$java -version" || failed=1
  # The same probes handed to a resident reach ('reach daemon start'), started here and stopped by its PID.
  echo "== hyperfine: open and closed port through a resident reach" >&2
  if REACH_RESIDENT=0 "$reach" daemon start --idle 5m >&2; then
    resident_pid=$(REACH_RESIDENT=0 "$reach" daemon status | sed -n 's/^resident reach \([0-9]*\):.*/\1/p')
    export REACH_RESIDENT=1
    "${hf[@]}" --export-json "$results/hyperfine-resident-open.json" --export-markdown "$results/hyperfine-resident-open.md" \
        -n "reach probe, resident (open)" "$reach probe tcp.connect host=127.0.0.1 port=$open_port --quiet" \
        -n "nc -z (open)" "nc -z -w 1 127.0.0.1 $open_port" || failed=1
    "${hf[@]}" -i --export-json "$results/hyperfine-resident-closed.json" --export-markdown "$results/hyperfine-resident-closed.md" \
        -n "reach probe, resident (closed)" "$reach probe tcp.connect host=127.0.0.1 port=$closed_port --quiet" \
        -n "nc -z (closed)" "nc -z -w 1 127.0.0.1 $closed_port" || failed=1
    served=$(REACH_RESIDENT=0 "$reach" daemon status | grep -o '[0-9]* command(s) served' | tr -dc 0-9)
    expected=$(( 2 * (runs + warmup) ))
    if [ "${served:-0}" -lt "$expected" ]; then
      echo "bench: WARNING: the resident reach served ${served:-0} of $expected commands: some ran in a JVM of their own" >&2
      failed=1
    fi
    REACH_RESIDENT=0 "$reach" daemon stop >&2 || { [ -n "$resident_pid" ] && kill "$resident_pid"; }
    resident_pid=
    export REACH_RESIDENT=0
  else
    echo "bench: the resident reach did not start; its figures are missing" >&2
    failed=1
  fi
  if [ "$(stat -c %Y.%y "$stamp" 2>/dev/null || echo none)" != "$stamp_before" ]; then
    echo "bench: WARNING: ./reach rebuilt the distribution while it was being measured (sources changed" \
         "under it); the whole-process figures include a build: run again on a quiet tree" >&2
    failed=1
  fi
fi

# ----------------------------------------------------------------------------------------- summary
aot="no"; [ -f "$root/dist/target/reach/reach.aot" ] && aot="yes"
python3 - "$results" "$(nproc)" "$("$java" -version 2>&1 | head -1)" "$load_start" \
    "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')" "$aot" "$((SECONDS - started))" <<'EOF' | tee "$results/summary.md"
import json, math, os, sys, datetime
res, cores, jdk, load0, load1, aot, secs = sys.argv[1:8]
STEPS = 10
print(f"# reach benchmarks — {datetime.date.today()} — {cores} cores — measured on this machine\n")
print(f"{jdk}; load average (1/5/15 min) {load0} at start, {load1} at end; "
      f"AOT cache (dist/target/reach/reach.aot): {aot}; took {secs} s.\n")
p = os.path.join(res, "jmh.json")
if os.path.exists(p):
    print("## JMH (average time, µs; ± is JMH's 99.9% error)\n")
    print("| benchmark | per run (µs) | per step (µs) |")
    print("|---|---:|---:|")
    for b in json.load(open(p)):
        name = b["benchmark"].rsplit(".", 1)[-1]
        m = b["primaryMetric"]; s, e = m["score"], m["scoreError"]
        e = 0.0 if isinstance(e, str) or math.isnan(e) else e
        per_step = (f"{s/STEPS:.1f} ± {e/STEPS:.1f}" if name.startswith("playbook")
                    else "(one probe)" if name.startswith("probe") else "(control: one hand-off)")
        print(f"| {name} | {s:.1f} ± {e:.1f} | {per_step} |")
    print()
def load(case):
    p = os.path.join(res, f"hyperfine-{case}.json")
    try:
        return json.load(open(p))["results"]
    except (OSError, ValueError, KeyError):  # missing, or left empty by a failed hyperfine
        return None
rows = []
for case in ("open", "closed", "startup", "resident-open", "resident-closed"):
    r = load(case)
    if not r or len(r) < 2: continue
    a, b = r[0], r[1]
    ratio = a["mean"] / b["mean"]
    rerr = ratio * math.hypot(a["stddev"] / a["mean"], b["stddev"] / b["mean"])
    rows.append((case, a, b, ratio, rerr))
if rows:
    print("## Whole process (hyperfine, ms, mean ± stddev)\n")
    print("| case | reach | peer | ratio reach/peer |")
    print("|---|---:|---:|---:|")
    for case, a, b, ratio, rerr in rows:
        fa = f'{a["command"]}: {a["mean"]*1e3:.1f} ± {a["stddev"]*1e3:.1f}'
        fb = f'{b["command"]}: {b["mean"]*1e3:.1f} ± {b["stddev"]*1e3:.1f}'
        print(f"| {case} | {fa} | {fb} | {ratio:.1f}× ± {rerr:.1f} |")
    print()
EOF
[ "$failed" = 0 ] || { echo "bench: some measurements failed or are invalid (see above)" >&2; exit 1; }
