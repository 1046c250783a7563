#!/usr/bin/env bash
# history.sh — what the run history costs a run, whole process, on loopback only:
#   1. hyperfine, paired (each command alternates with its twin): `reach 127.0.0.1:CLOSED -q` (the diagnosis) and
#      `reach probe tcp.connect host=127.0.0.1 port=CLOSED -q`, with REACH_HISTORY=off against a history of their own
#      that already holds 2 000 runs of the same target (so the drift and baseline lookups have rows to read);
#      then the same runs timed until their report is out and until the process ends (python3, paired);
#   2. JMH (bench/src/main/java/dev/reach/bench/HistoryBench.java): the write after the report and the lookups before it,
#      in a warm JVM, in microseconds.
#
#   bench/history.sh                       (needs hyperfine, python3; builds nothing: run ./reach --version and ./reach probe --help first)
#   RUNS=15 BENCH_SKIP_JMH=1 bench/history.sh
#
# The closed port is one this script binds and releases on 127.0.0.1; nothing else is a target. The history files live
# in a temporary directory removed at the end.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
runs="${RUNS:-15}"
if [ -z "${JAVA_HOME:-}" ] && [ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]; then export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64; fi
command -v hyperfine >/dev/null || { echo "history.sh: needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "history.sh: needs python3" >&2; exit 2; }
tmp=$(mktemp -d /tmp/reach-history-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
reach=(env REACH_RESIDENT=0 "$root/reach")
"${reach[@]}" --version >/dev/null   # builds the distribution and its start-up cache when stale, untimed

# 2 000 runs of the target first (fast: one process writes them through the same code)
export REACH_HISTORY="$tmp/history.db"
python3 - "$tmp/history.db" "$port" <<'PY'
import json, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
db.execute("PRAGMA journal_mode=WAL")
db.execute("""CREATE TABLE IF NOT EXISTS runs (id INTEGER PRIMARY KEY AUTOINCREMENT, target TEXT NOT NULL, playbook TEXT NOT NULL,
  started INTEGER NOT NULL, duration_ms REAL NOT NULL, cause TEXT NOT NULL, confidence TEXT NOT NULL, healthy INTEGER NOT NULL,
  worked INTEGER NOT NULL, summary TEXT NOT NULL, origin TEXT NOT NULL, facts TEXT NOT NULL, metrics TEXT NOT NULL)""")
db.execute("CREATE INDEX IF NOT EXISTS runs_by_target ON runs (target, id)")
now = int(time.time() * 1000)
facts = json.dumps({"route": "local dev lo table local src 127.0.0.1", "mtu": "lo 65536"})
for i in range(2000):
    for pb in ("unreachable", "probe tcp.connect"):
        db.execute("INSERT INTO runs (target, playbook, started, duration_ms, cause, confidence, healthy, worked, summary, origin, facts, metrics) "
                   "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", (f"127.0.0.1:{sys.argv[2]}", pb, now - (2000 - i) * 60000, 150.0,
                   "tcp.refused", "certain", 0, 0, "refused", "cli", facts, json.dumps({"rtt_ms": 0.05, "loss_pct": 0.0})))
db.commit()
PY
unset REACH_HISTORY

echo "history.sh: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $runs runs each, paired"
hyperfine -N -w 2 -r "$runs" --export-json "$tmp/h.json" \
  -n "diagnosis, history off" "env REACH_HISTORY=off REACH_RESIDENT=0 $root/reach 127.0.0.1:$port -q" \
  -n "diagnosis, history on" "env REACH_HISTORY=$tmp/history.db REACH_RESIDENT=0 $root/reach 127.0.0.1:$port -q" \
  -n "probe, history off" "env REACH_HISTORY=off REACH_RESIDENT=0 $root/reach probe tcp.connect host=127.0.0.1 port=$port -q" \
  -n "probe, history on" "env REACH_HISTORY=$tmp/history.db REACH_RESIDENT=0 $root/reach probe tcp.connect host=127.0.0.1 port=$port -q" \
  -i >/dev/null
python3 - "$tmp/h.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
print("| run | history off ms (median) | history on ms (median) | on / off |")
print("|---|---:|---:|---:|")
for what in ("diagnosis", "probe"):
    off, on = r[f"{what}, history off"]["median"] * 1000, r[f"{what}, history on"]["median"] * 1000
    print(f"| {what} | {off:.0f} | {on:.0f} | {on / off:.2f} |")
PY
# the report's own time: until its line is out (the write comes after it), and until the process ends
python3 - "$root/reach" "$port" "$tmp/history.db" "$runs" <<'PY'
import os, statistics, subprocess, sys, time
reach, port, hist, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
cmds = {"diagnosis": [reach, f"127.0.0.1:{port}", "-q"],
        "probe": [reach, "probe", "tcp.connect", "host=127.0.0.1", f"port={port}", "-q"]}
res = {}
for _ in range(n):
    for name, cmd in cmds.items():
        for mode in ("off", "on"):
            env = dict(os.environ, REACH_RESIDENT="0", REACH_HISTORY="off" if mode == "off" else hist)
            t0 = time.perf_counter()
            p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
            p.stdout.readline(); t1 = time.perf_counter()
            p.wait(); t2 = time.perf_counter()
            res.setdefault((name, mode), []).append(((t1 - t0) * 1000, (t2 - t0) * 1000))
print("\n| run | history | until the report, ms (median) | until the process ends, ms (median) |")
print("|---|---|---:|---:|")
for (name, mode), v in res.items():
    print(f"| {name} | {mode} | {statistics.median(x[0] for x in v):.0f} | {statistics.median(x[1] for x in v):.0f} |")
PY
echo "rows now in the history: $(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from runs').fetchone()[0])" "$tmp/history.db")"

if [ "${BENCH_SKIP_JMH:-}" != 1 ]; then
  cp_file="$root/bench/target/classpath.txt"
  [ -f "$cp_file" ] || { echo "history.sh: no $cp_file: ./mvnw -q install -DskipTests first (or BENCH_SKIP_JMH=1)" >&2; exit 2; }
  "${JAVA_HOME:+$JAVA_HOME/bin/}java" --enable-native-access=ALL-UNNAMED -cp "$root/bench/target/classes:$(cat "$cp_file")" \
      org.openjdk.jmh.Main -rf text -rff "$tmp/jmh.txt" HistoryBench >/dev/null
  grep -E "HistoryBench" "$tmp/jmh.txt"
fi
