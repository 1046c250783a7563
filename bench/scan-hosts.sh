#!/usr/bin/env bash
# scan-hosts.sh — tcp.scan of 10000 hosts (one port each) against nmap -sT -Pn -n, whole process, in a network
# namespace of its own with only loopback up (no link to anything else):
#   silent:   127.1.0.0-127.1.39.15 port 80, DROPped by iptables in the namespace;
#   refusing: 127.2.0.0-127.2.39.15 port 80, nothing listens: each connect gets a RST.
#
#   sudo bench/scan-hosts.sh                 (root: the namespace and its iptables rule; needs ip, iptables,
#                                             python3, GNU time; installs nmap with apt-get if missing)
#   RUNS=5 sudo -E bench/scan-hosts.sh       (runs per case and way, default 5: the table gives min and median)
#   WAYS=direct sudo -E bench/scan-hosts.sh  (which reach ways to run, default "direct launcher resident")
#
# reach runs from the distribution (dist/target/reach; build it first: ./mvnw -q install -DskipTests), three ways:
#   direct   — java itself, no launcher, no start-up cache (JAVA_OPTS adds JVM options):
#              java --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Dreach.home=DIST
#                   -cp 'DIST/lib/*' dev.reach.shell.Main probe tcp.scan hosts=127.1.0.0-127.1.39.15 ports=80 --json
#   launcher — ./reach probe ... with REACH_RESIDENT=0: the launcher's JVM options and its start-up cache
#              (the launcher builds the distribution and the cache first when the sources changed: run it once);
#   resident — the same handed to a resident reach ('reach daemon start' in the namespace, stopped by its PID);
#   package  — bin/reach of the unpacked tarball (PACKAGE=its folder; './mvnw package -Ppackage' makes the tarball)
#              with REACH_RESIDENT=0: its own jlink'd runtime and start-up cache.
# nmap gets the same 10000 addresses in a file (-iL) and at most NMAP_LIMIT seconds (default 60, timeout(1)); a
# run cut there shows as ">60". It never finishes the silent case, so that case runs nmap NMAP_SILENT_RUNS times
# (default 1; 0 for none). Runs alternate between the ways and nmap so all see the same load; the load average is printed at
# start and end. Wall time and peak RSS come from GNU time. Traffic: loopback in the namespace only.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
DIST=${REACH_HOME:-$ROOT/dist/target/reach}
RUNS=${RUNS:-5}
WAYS=${WAYS:-direct launcher resident}
NMAP_LIMIT=${NMAP_LIMIT:-60}
NMAP_SILENT_RUNS=${NMAP_SILENT_RUNS:-1}
[ "$(id -u)" = 0 ] || { echo "scan-hosts.sh: needs root (a network namespace)" >&2; exit 2; }
[ -d "$DIST/lib" ] || { echo "scan-hosts.sh: no distribution at $DIST: ./mvnw -q install -DskipTests" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "scan-hosts.sh: needs GNU time (apt-get install time)" >&2; exit 2; }
for t in ip iptables python3; do command -v "$t" >/dev/null || { echo "scan-hosts.sh: $t is missing" >&2; exit 2; }; done
command -v nmap >/dev/null || apt-get install -y -q nmap >/dev/null

NS=rs-scan-$$
TMP=$(mktemp -d /tmp/reach-scan.XXXXXX)
RESIDENT_PID=
cleanup() {
  [ -n "$RESIDENT_PID" ] && { kill "$RESIDENT_PID" 2>/dev/null || true; }
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
ip netns add "$NS"
ip -n "$NS" link set lo up
ip netns exec "$NS" iptables -A INPUT -p tcp -d 127.1.0.0/16 --dport 80 -j DROP

python3 -c "print('\n'.join(f'127.1.{i // 256}.{i % 256}' for i in range(10000)))" > "$TMP/silent.lst"
python3 -c "print('\n'.join(f'127.2.{i // 256}.{i % 256}' for i in range(10000)))" > "$TMP/refusing.lst"
declare -A RANGE=([silent]=127.1.0.0-127.1.39.15 [refusing]=127.2.0.0-127.2.39.15)

if [[ " $WAYS " == *" launcher "* || " $WAYS " == *" resident "* ]]; then
  REACH_RESIDENT=0 "$ROOT/reach" --version >/dev/null   # builds the distribution and its cache now if stale, untimed
  REACH_RESIDENT=0 "$ROOT/reach" probe --help >/dev/null  # and the cache 'reach probe' starts with
fi
if [[ " $WAYS " == *" resident "* ]]; then
  ip netns exec "$NS" "$ROOT/reach" daemon start --idle 10m >/dev/null
  RESIDENT_PID=$(ip netns exec "$NS" sh -c 'd=${XDG_RUNTIME_DIR:+$XDG_RUNTIME_DIR/reach}; d=${d:-/tmp/reach-$(id -u)}; head -1 "$d/net-$(readlink /proc/self/ns/net | tr -dc 0-9).pid"')
fi

# one timed run: case, way, run number; appends "case way seconds rss_kb" to results, keeps the last output
timed() {
  local case=$1 way=$2 n=$3 out=$TMP/$1-$2.out rc=0 secs rss
  local scan=(probe tcp.scan "hosts=${RANGE[$case]}" ports=80 --json)
  local cmd
  case $way in
    # shellcheck disable=SC2086
    direct) cmd=("$JAVA" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow ${JAVA_OPTS:-}
                 -Dreach.home="$DIST" -cp "$DIST/lib/*" dev.reach.shell.Main "${scan[@]}") ;;
    launcher) cmd=(env REACH_RESIDENT=0 "$ROOT/reach" "${scan[@]}") ;;
    resident) cmd=(env REACH_RESIDENT=1 "$ROOT/reach" "${scan[@]}") ;;
    package) cmd=(env REACH_RESIDENT=0 "${PACKAGE:?PACKAGE=the folder of the unpacked tarball}/bin/reach" "${scan[@]}") ;;
    nmap) cmd=(timeout "$NMAP_LIMIT" nmap -sT -Pn -n -p80 -iL "$TMP/$case.lst" -oG -) ;;
  esac
  /usr/bin/time -f '%e %M' -o "$TMP/time" ip netns exec "$NS" "${cmd[@]}" > "$out" 2> "$TMP/err" || rc=$?
  read -r secs rss < <(tail -1 "$TMP/time")
  if [ "$way" = nmap ] && [ "$rc" = 124 ]; then secs=">$NMAP_LIMIT"; fi
  if [ "$way" != nmap ] && ! grep -q '"tcp.scan"' "$out"; then
    echo "scan-hosts.sh: reach printed no scan ($case, $way, run $n):" >&2; head -c 2000 "$TMP/err" >&2; exit 1
  fi
  echo "$case $way $secs $rss" >> "$TMP/results"
  printf '  %-8s %-8s run %d: %6s s, %7d KB\n' "$case" "$way" "$n" "$secs" "$rss"
}

echo "tcp.scan of 10000 hosts vs nmap -sT -Pn -n: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg) at start, $RUNS runs each"
for case in silent refusing; do
  nmap_runs=$RUNS; [ "$case" = silent ] && nmap_runs=$NMAP_SILENT_RUNS
  for n in $(seq 1 "$RUNS"); do
    for way in $WAYS; do timed "$case" "$way" "$n"; done
    if [ "$n" -le "$nmap_runs" ]; then timed "$case" nmap "$n"; fi
  done
  for way in $WAYS; do
    python3 - "$TMP/$case-$way.out" "$way" <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))["steps"][0]["facts"]
h = f["hosts"]
print(f"  last {sys.argv[2]} run: {f['outcome']}; {len(h)} run(s) of hosts, first {h[0]['address']} x{h[0]['count']}; "
      f"scan {f['scan_ms']/1000:.2f}s in-process, silence decided within {f['silence_ms']/1000:.2f}s, "
      f"wait {f['final_timeout_ms']}ms, in flight max {f['in_flight_max']} peak {f['in_flight_peak']}, "
      f"nofile {f['nofile_limit']}, {f['workers']} workers")
PY
  done
  echo "  last nmap run: $(grep -cE "Ports: 80/" "$TMP/$case-nmap.out" || true) hosts with port 80 listed"
done
echo "load $(cut -d' ' -f1-3 /proc/loadavg) at end"
if [ -n "$RESIDENT_PID" ]; then
  ip netns exec "$NS" "$ROOT/reach" daemon stop >/dev/null 2>&1 || kill "$RESIDENT_PID" 2>/dev/null || true
  RESIDENT_PID=
fi

python3 - "$TMP/results" "$WAYS" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    case, way, secs, rss = line.split()
    rows.setdefault((case, way), []).append((secs, int(rss)))
def stats(vals):
    cut = any(s.startswith(">") for s, _ in vals)
    nums = sorted(float(s.lstrip(">")) for s, _ in vals)
    return nums[0], statistics.median(nums), cut
print()
print(f"{'case':<10} {'way':<9} {'min s':>7} {'median s':>8} {'max RSS':>8}   {'nmap min':>8} {'median':>7}   {'reach/nmap (medians)':>20}")
for case in ("silent", "refusing"):
    n = rows.get((case, "nmap"))
    nmin, nmed, ncut = stats(n) if n else (None, None, False)
    mark = ">" if ncut else ""
    for way in sys.argv[2].split():
        r = rows[(case, way)]
        rmin, rmed, _ = stats(r)
        ratio = "-" if not n else f"<{rmed / nmed:.2f}" if ncut else f"{rmed / nmed:.2f}"
        nmap = f"{mark + f'{nmin:.2f}':>8} {mark + f'{nmed:.2f}':>7}" if n else f"{'-':>8} {'-':>7}"
        print(f"{case:<10} {way:<9} {rmin:>7.2f} {rmed:>8.2f} {max(x for _, x in r) // 1024:>5} MB   {nmap}   {ratio:>20}")
print("(seconds, whole process; a ratio below 1 means reach was faster; RSS of the resident way is its client's)")
PY
