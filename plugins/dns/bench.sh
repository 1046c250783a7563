#!/usr/bin/env bash
# plugins/dns/bench.sh — whole-process time of `reach probe dns.query` and `reach probe dns.resolve` against
# dig, on the same dnsmasq this script starts on 127.0.0.1 (a free high port, local data only, nothing
# forwarded) and stops by its PID on exit. Prints a table and the ratios; results in plugins/dns/target/bench/.
#
# Needs: the built distribution (dist/target/reach) and plugin (plugins/dns/target/reach-plugin-dns-*.jar),
#   dnsmasq (apt-get install dnsmasq-base), dig (apt-get install bind9-dnsutils), hyperfine, python3.
# Environment: JAVA_HOME (default /usr/lib/jvm/temurin-25-jdk-amd64), RUNS (default 20), WARMUP (default 3).
set -euo pipefail

here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$here/target/bench"
runs="${RUNS:-20}"
warmup="${WARMUP:-3}"
if [ -z "${JAVA_HOME:-}" ] && [ -d /usr/lib/jvm/temurin-25-jdk-amd64 ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"

need() { command -v "$1" >/dev/null 2>&1 || { echo "bench: '$1' is missing; $2" >&2; exit 2; }; }
need hyperfine "apt-get install hyperfine"
need dig "apt-get install bind9-dnsutils"
need python3 "apt-get install python3"
dnsmasq="$(command -v dnsmasq || echo /usr/sbin/dnsmasq)"
[ -x "$dnsmasq" ] || { echo "bench: dnsmasq is missing; apt-get install dnsmasq-base" >&2; exit 2; }
dist="$root/dist/target/reach"
[ -d "$dist/lib" ] || { echo "bench: no distribution at $dist; build it first" >&2; exit 2; }
jar="$(ls "$here"/target/reach-plugin-dns-*.jar 2>/dev/null | grep -v original | head -1)"
[ -n "$jar" ] || { echo "bench: no plugin jar; run ./mvnw -o -pl plugins/dns install" >&2; exit 2; }

rm -rf "$out" && mkdir -p "$out/plugins"
cp "$jar" "$out/plugins/" # only the jar: --plugins loads every plugin in the directory
printf '198.18.0.10 web.test\n' > "$out/zone"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
user_opts=()
[ "$(id -u)" = 0 ] && user_opts=(--user=root --group=root)
"$dnsmasq" -k --port="$port" --listen-address=127.0.0.1 --bind-interfaces --no-resolv --no-hosts --no-poll \
  --addn-hosts="$out/zone" --local=/test/ --pid-file="$out/dnsmasq.pid" "${user_opts[@]}" 2>"$out/dnsmasq.log" &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do # up to 5 s
  dig @127.0.0.1 -p "$port" +time=1 +tries=1 web.test >/dev/null 2>&1 && break
  sleep 0.1
done

reach="$java --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Dreach.home=$dist -cp '$dist/lib/*' dev.reach.shell.Main"
plugins="--plugins $out/plugins --quiet"
server="127.0.0.1:$port"
hyperfine -N --warmup "$warmup" --runs "$runs" --export-json "$out/query.json" --export-markdown "$out/query.md" \
  -n "reach probe dns.query" "$reach probe dns.query name=web.test server=$server $plugins" \
  -n "dig" "dig @127.0.0.1 -p $port +time=2 +tries=1 web.test" \
  -n "reach --version (JVM and shell start-up alone)" "$reach --version"
hyperfine --warmup "$warmup" --runs "$runs" --export-json "$out/resolve.json" --export-markdown "$out/resolve.md" \
  -n "reach probe dns.resolve (A, udp+tcp)" "$reach probe dns.resolve name=web.test type=A server=$server system=off $plugins" \
  -n "dig + dig +tcp" "dig @127.0.0.1 -p $port +time=2 +tries=1 web.test >/dev/null; dig +tcp @127.0.0.1 -p $port +time=2 +tries=1 web.test >/dev/null"

python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
lines = ["| comparison | reach wall | other wall | wall ratio | reach CPU (user+sys) | other CPU | CPU ratio |",
         "|---|---|---|---|---|---|---|"]
for name in ("query", "resolve"):
    r = json.load(open(f"{out}/{name}.json"))["results"]
    reach, other = r[0], r[1]
    rc, oc = reach["user"] + reach["system"], other["user"] + other["system"]
    lines.append(f"| {reach['command']} vs {other['command']} | {reach['mean']*1000:.0f} ms ± {reach['stddev']*1000:.0f} "
                 f"| {other['mean']*1000:.1f} ms ± {other['stddev']*1000:.1f} | {reach['mean']/other['mean']:.0f}× "
                 f"| {rc*1000:.0f} ms | {oc*1000:.1f} ms | {rc/oc:.0f}× |")
base = json.load(open(f"{out}/query.json"))["results"][2]
lines.append(f"| start-up alone: {base['command']} | {base['mean']*1000:.0f} ms ± {base['stddev']*1000:.0f} | | | "
             f"{(base['user'] + base['system'])*1000:.0f} ms | | |")
lines.append("")
lines.append("load average at the end: " + open("/proc/loadavg").read().split()[0] + " (2 cores: above 2 the wall times are queueing)")
text = "\n".join(lines)
open(f"{out}/summary.md", "w").write(text + "\n")
print(text)
PY
