#!/usr/bin/env bash
# js-bench.sh — start-up cost of the script engine for headless runs, and the per-call cost of probe() from JS.
#
#   bench/js-bench.sh [runs]          (needs the built distribution: dist/target/reach)
#
# 1. Whole-process time (JVM start to exit) of `reach run` on a 10-step YAML playbook whose steps carry
#    `when:` conditions (and, for contrast, on playbooks/connect.yaml, whose expressions need the engine), against a closed loopback port (every connect is refused at once), in three modes
#    of -Dreach.scripts: eager (the engine's cold start on the critical path, as before), background (the
#    default: it warms on its own thread; simple conditions never wait for it) and lazy (never started
#    unless an expression needs it). Median and min of N runs, interleaved.
# 2. The per-call overhead of probe() from a JS playbook: 1000 calls of tcp.connect to the closed port;
#    overhead = (wall time of the loop − the probes' own durations) / calls, measured inside the script.
# Traffic: 127.0.0.1 only.
set -euo pipefail
RUNS=${1:-7}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
CP=${REACH_CP:-$ROOT/dist/target/reach/lib/*}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') # closed once released

{
  echo "name: ten-steps"
  echo "inputs: {host: {type: host, required: true}, port: {type: port, required: true}}"
  echo "steps:"
  echo "  - {id: s1, probe: tcp.connect, with: {host: \"\${inputs.host}\", port: \"\${inputs.port}\", timeout: 1s}}"
  for i in $(seq 2 10); do
    echo "  - id: s$i"
    echo "    when: \"steps.s$((i - 1)).status == 'fail' && steps.s$((i - 1)).cause == 'tcp.refused' && inputs.port > 0\""
    echo "    probe: tcp.connect"
    echo "    with: {host: 127.0.0.1, port: \"\${inputs.port}\", timeout: 1s}"
  done
} > "$TMP/ten.yaml"

cat > "$TMP/calls.js" <<'JS'
export const metadata = {inputs: {port: {type: 'port', required: true}, calls: {type: 'integer', default: 1000}}};
export function main({port, calls}) {
  probe('tcp.connect', {host: '127.0.0.1', port, timeout: '1s'}); // warm the path once
  let own = 0;
  const t0 = Date.now();
  for (let i = 0; i < calls; i++) own += probe('tcp.connect', {host: '127.0.0.1', port, timeout: '1s'}).duration_ms;
  const wall = Date.now() - t0;
  return verdict({cause: 'ok', summary: `${calls} ${wall} ${own.toFixed(1)} ${((wall - own) / calls).toFixed(3)}`});
}
JS

reach() { "$JAVA" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Dreach.home="$ROOT/dist/target/reach" "$@"; }

declare -A times
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)   cores: $(nproc)   runs: $RUNS"
for r in $(seq 1 "$RUNS"); do
  for pb in ten connect; do
    file="$TMP/ten.yaml"; [ "$pb" = connect ] && file="$ROOT/playbooks/connect.yaml"
    for mode in eager background lazy; do
      t0=$(date +%s%N)
      reach -Dreach.scripts=$mode -cp "$CP" dev.reach.shell.Main run "$file" --set host=127.0.0.1 --set port=$PORT --quiet \
        > "$TMP/out" 2>/dev/null || true
      t1=$(date +%s%N)
      grep -q "tcp.refused" "$TMP/out" || { echo "unexpected result in mode $mode:"; cat "$TMP/out"; exit 1; }
      times[$pb.$mode]="${times[$pb.$mode]:-} $(( (t1 - t0) / 1000000 ))"
    done
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
for pb in ten connect; do
  [ "$pb" = ten ] && echo "10-step YAML, conditions in the Java subset, whole process (ms):" \
                  || echo "playbooks/connect.yaml (arrow-function expressions: needs the engine), whole process (ms):"
  for mode in eager background lazy; do
    echo "${times[$pb.$mode]}" | tr ' ' '\n' | grep . | sort -n \
      | awk -v m="$mode" '{a[NR]=$1} END {printf "  %-10s median %5d  min %5d  (%s)\n", m, a[int((NR+1)/2)], a[1], NR " runs"}'
  done
done
out=$(reach -cp "$CP" dev.reach.shell.Main run "$TMP/calls.js" --set port=$PORT --json 2>/dev/null || true)
read -r calls wall own per <<< "$(python3 -c 'import json,sys; print(json.load(sys.stdin)["verdict"]["summary"])' <<< "$out")"
echo "probe() from JS: $calls calls in $wall ms, probes' own time $own ms: overhead $per ms per call"
