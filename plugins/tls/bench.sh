#!/usr/bin/env bash
# Whole-process cost of `reach probe tls.handshake` against `openssl s_client`, both on the same local
# `openssl s_server` (127.0.0.1 only), measured with hyperfine. Prints both means and the ratio.
#
#   plugins/tls/bench.sh            (after ./mvnw -q -o -pl plugins/tls install and a built dist/)
#
# Needs: openssl, hyperfine, jq, a JDK 25 (JAVA_HOME, default /usr/lib/jvm/temurin-25-jdk-amd64), and the
# distribution in dist/target/reach. RUNS (default 20) and WARMUP (default 3) tune hyperfine.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
java_home=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
runs=${RUNS:-20}
warmup=${WARMUP:-3}
for tool in openssl hyperfine jq; do
  command -v "$tool" >/dev/null || { echo "bench.sh: needs '$tool' on PATH" >&2; exit 2; }
done
jar=$(ls "$root"/plugins/tls/target/reach-plugin-tls-*.jar 2>/dev/null | head -1)
[ -n "$jar" ] || { echo "bench.sh: build the plugin first: ./mvnw -q -o -pl plugins/tls install" >&2; exit 2; }
[ -d "$root/dist/target/reach/lib" ] || { echo "bench.sh: the distribution is not built (dist/target/reach)" >&2; exit 2; }

work=$(mktemp -d)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# only the jar: --plugins also takes every folder it finds as a plugin, and target/ has many
mkdir "$work/plugins"
cp "$jar" "$work/plugins/"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" \
  -subj /CN=localhost -days 30 -addext subjectAltName=IP:127.0.0.1,DNS:localhost 2>/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# -www: answers without reading stdin, so it serves every connection until killed
openssl s_server -accept "127.0.0.1:$port" -cert "$work/cert.pem" -key "$work/key.pem" -www >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 50); do
  grep -q ACCEPT "$work/server.log" && break
  sleep 0.1
done
grep -q ACCEPT "$work/server.log" || { echo "bench.sh: s_server did not start: $(cat "$work/server.log")" >&2; exit 1; }

reach="$java_home/bin/java --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
-Dreach.home=$root/dist/target/reach -cp '$root/dist/target/reach/lib/*' dev.reach.shell.Main \
probe tls.handshake host=127.0.0.1 port=$port ca=$work/cert.pem --plugins $work/plugins"
s_client="openssl s_client -connect 127.0.0.1:$port </dev/null"
# a failing probe would make the comparison meaningless
eval "$reach" >/dev/null || { echo "bench.sh: the probe did not pass against the local server" >&2; eval "$reach" >&2; exit 1; }

hyperfine --runs "$runs" --warmup "$warmup" --export-json "$work/h.json" -n reach "$reach" -n s_client "$s_client" >&2
reach_ms=$(jq '.results[] | select(.command=="reach") | .mean * 1000' "$work/h.json")
client_ms=$(jq '.results[] | select(.command=="s_client") | .mean * 1000' "$work/h.json")
printf 'tls.handshake (reach, whole process): %.1f ms\nopenssl s_client:                     %.1f ms\nratio reach / s_client:               %.1f\n' \
  "$reach_ms" "$client_ms" "$(awk -v a="$reach_ms" -v b="$client_ms" 'BEGIN { print a / b }')"
