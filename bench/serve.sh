#!/usr/bin/env bash
# serve.sh — reach serve beside prometheus-blackbox-exporter on the same faults, scraped the same way (curl /probe),
# loopback only: what each one says, and how long each scrape takes (ratio reach / blackbox, medians).
#
#   bench/serve.sh                 (RUNS=7 by default; installs prometheus-blackbox-exporter with apt-get if missing
#                                   and root; needs python3 and curl; the distribution: ./mvnw -q install -DskipTests)
#
# Faults, each on a loopback port this script opens and closes:
#   http-ok     an HTTP server that answers 200            blackbox module http_2xx, reach target http://127.0.0.1:P/
#   refused     a port nothing listens on                  blackbox module tcp_connect, reach target 127.0.0.1:P
#   mute        accepts connections, never says a word     tcp_connect (with a query_response expecting a banner)
#   http-500    an HTTP server that answers 500            http_2xx
# Every process it starts is stopped by its PID on exit.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
DIST=${REACH_HOME:-$ROOT/dist/target/reach}
RUNS=${RUNS:-7}
[ -d "$DIST/lib" ] || { echo "serve.sh: no distribution at $DIST: ./mvnw -q install -DskipTests" >&2; exit 2; }
for t in python3 curl; do command -v "$t" >/dev/null || { echo "serve.sh: $t is missing" >&2; exit 2; }; done
if ! command -v prometheus-blackbox-exporter >/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "serve.sh: prometheus-blackbox-exporter is missing (sudo apt-get install prometheus-blackbox-exporter)" >&2; exit 2; }
  apt-get install -y -q --no-install-recommends prometheus-blackbox-exporter >/dev/null
  (service prometheus-blackbox-exporter stop || true) >/dev/null 2>&1
fi

TMP=$(mktemp -d /tmp/reach-serve-bench.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# the targets: bounded to 10 minutes each
python3 - "$TMP/ports" <<'PY' &
import http.server, socket, sys, threading, time
class Ok(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        code = 500 if self.server.server_port == fail.server_port else 200
        self.send_response(code); self.send_header("Content-Length", "3"); self.end_headers(); self.wfile.write(b"hi\n")
    def log_message(self, *a): pass
ok = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Ok)
fail = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Ok)
mute = socket.socket(); mute.bind(("127.0.0.1", 0)); mute.listen(64)
held = []
def hold():
    while len(held) < 10000:
        held.append(mute.accept()[0])
for f in (ok.serve_forever, fail.serve_forever, hold):
    threading.Thread(target=f, daemon=True).start()
closed = socket.socket(); closed.bind(("127.0.0.1", 0)); refused = closed.getsockname()[1]; closed.close()
open(sys.argv[1], "w").write(f"{ok.server_port} {refused} {mute.getsockname()[1]} {fail.server_port}\n")
time.sleep(600)
PY
PIDS+=($!)
for _ in $(seq 1 50); do [ -s "$TMP/ports" ] && break; sleep 0.1; done
read -r OK REFUSED MUTE FAIL < "$TMP/ports"

cat > "$TMP/blackbox.yml" <<'YML'
modules:
  http_2xx:
    prober: http
    timeout: 5s
  tcp_connect:
    prober: tcp
    timeout: 5s
  tcp_banner:
    prober: tcp
    timeout: 5s
    tcp:
      query_response:
        - expect: "^.+"
YML
BB=$(free_port); RS=$(free_port)
prometheus-blackbox-exporter --config.file="$TMP/blackbox.yml" --web.listen-address="127.0.0.1:$BB" > "$TMP/bb.log" 2>&1 &
PIDS+=($!)
"$JAVA" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
  -Dreach.home="$DIST" -cp "$DIST/lib/*" dev.reach.shell.Main serve --listen "127.0.0.1:$RS" > "$TMP/reach.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$BB/-/healthy" >/dev/null 2>&1 && curl -sf "http://127.0.0.1:$RS/-/healthy" >/dev/null 2>&1 && break
  sleep 0.2
done

declare -A BBQ=([http-ok]="module=http_2xx&target=http://127.0.0.1:$OK/" [refused]="module=tcp_connect&target=127.0.0.1:$REFUSED"
                [mute]="module=tcp_banner&target=127.0.0.1:$MUTE" [http-500]="module=http_2xx&target=http://127.0.0.1:$FAIL/")
declare -A RSQ=([http-ok]="target=http://127.0.0.1:$OK/" [refused]="target=127.0.0.1:$REFUSED"
                [mute]="target=127.0.0.1:$MUTE" [http-500]="target=http://127.0.0.1:$FAIL/")
scrape() { curl -s -o "$TMP/body" -w '%{time_total}' -H 'X-Prometheus-Scrape-Timeout-Seconds: 10' "$1"; }

echo "reach serve vs prometheus-blackbox-exporter $(prometheus-blackbox-exporter --version 2>&1 | head -1 | awk '{print $3}'):"\
     "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $RUNS scrapes each, alternating"
printf '%-9s | %-34s | %-44s | %9s %9s %7s\n' fault "blackbox says" "reach says" "bb s" "reach s" ratio
for fault in http-ok refused mute http-500; do
  b=(); r=()
  scrape "http://127.0.0.1:$RS/probe?${RSQ[$fault]}" > /dev/null   # one untimed first scrape each
  scrape "http://127.0.0.1:$BB/probe?${BBQ[$fault]}" > /dev/null
  for _ in $(seq 1 "$RUNS"); do
    b+=("$(scrape "http://127.0.0.1:$BB/probe?${BBQ[$fault]}")"); cp "$TMP/body" "$TMP/bb.body"
    r+=("$(scrape "http://127.0.0.1:$RS/probe?${RSQ[$fault]}")"); cp "$TMP/body" "$TMP/rs.body"
  done
  bsays="probe_success $(awk '/^probe_success/ {print $2}' "$TMP/bb.body")"
  extra=$(awk '/^probe_http_status_code/ {print " http " $2} /^probe_failed_due_to_regex/ && $2==1 {print " regex failed"}' "$TMP/bb.body" | tr -d '\n')
  rsays="$(sed -n 's/^reach_verdict{cause="\([^"]*\)",confidence="\([^"]*\)"} 1/\1 (\2)/p' "$TMP/rs.body"), success $(awk '/^reach_probe_success/ {print $2}' "$TMP/rs.body")"
  python3 - "$fault" "$bsays$extra" "$rsays" "${b[*]}" "${r[*]}" <<'PY'
import statistics, sys
fault, bsays, rsays, b, r = sys.argv[1:]
bm = statistics.median(float(x) for x in b.split()); rm = statistics.median(float(x) for x in r.split())
print(f"{fault:<9} | {bsays:<34} | {rsays:<44} | {bm:9.3f} {rm:9.3f} {rm / bm:7.1f}")
PY
done
echo "load $(cut -d' ' -f1-3 /proc/loadavg) at end; seconds are curl's time_total, medians"
