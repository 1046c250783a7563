#!/usr/bin/env bash
# server-via.sh — what looking from both ends costs: `reach HOST:PORT` alone against the same with
# `--server-via 'ip netns exec SERVER'` (the server's reach watches the client's packets while it connects), whole
# process, per fault, with `nc -z -w 5` beside them.
#
#   sudo bench/server-via.sh              (root: network namespaces; needs ip, iptables, python3, nc)
#   REPEAT=9 sudo -E bench/server-via.sh  (runs per scenario and way, alternating; default 5; the table gives medians)
#
# Lab: client 198.18.0.1 — router — server 198.18.1.2 in three namespaces wired only to each other; a python3 HTTP
# server on 198.18.1.2:8080 and one on 127.0.0.1:9090 (loopback only). reach runs through the ./reach launcher with
# REACH_RESIDENT=0 on both ends, as a user runs it; the server's reach is this checkout's launcher too.
# Traffic: lab namespaces only.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
REPEAT=${REPEAT:-5}
[ "$(id -u)" = 0 ] || { echo "server-via.sh: needs root (network namespaces)" >&2; exit 2; }
for t in ip iptables python3 nc; do command -v "$t" >/dev/null || { echo "server-via.sh: $t is missing" >&2; exit 2; }; done

ID=sv$$
. "$ROOT/bench/lab.sh"   # C, R, S, TMP, PIDS; cleaned up on exit
SERVE='import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    timeout = 5
    def do_HEAD(self):
        self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers()
    def do_GET(self):
        self.do_HEAD(); self.wfile.write(b"ok")
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer((sys.argv[1], int(sys.argv[2])), H).serve_forever()'
ip netns exec $S python3 -c "$SERVE" 198.18.1.2 8080 & PIDS+=($!)
ip netns exec $S python3 -c "$SERVE" 127.0.0.1 9090 & PIDS+=($!)
sleep 1
REACH_RESIDENT=0 "$ROOT/reach" --version >/dev/null   # builds the distribution and its cache now if stale, untimed

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
once() { # alone|joined TARGET -> "cause ms"
  local t0 out
  t0=$(date +%s%N)
  if [ "$1" = joined ]; then
    out=$(ip netns exec $C env REACH_RESIDENT=0 "$ROOT/reach" "$2" --json --no-history \
      --server-via "ip netns exec $S" --server-reach "env REACH_RESIDENT=0 $ROOT/reach" 2>/dev/null || true)
  else
    out=$(ip netns exec $C env REACH_RESIDENT=0 "$ROOT/reach" "$2" --json --no-history 2>/dev/null || true)
  fi
  echo "$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["verdict"]["cause"])' 2>/dev/null || echo none) $(( ($(date +%s%N) - t0) / 1000000 ))"
}
nc_once() {
  local t0; t0=$(date +%s%N)
  ip netns exec $C nc -z -w 5 "${1%:*}" "${1##*:}" >/dev/null 2>&1 || true
  echo $(( ($(date +%s%N) - t0) / 1000000 ))
}

row() { # NAME TARGET SETUP TEARDOWN
  local name=$1 target=$2 i a j
  eval "$3"
  local alone=() joined=() ac=() jc=() ncs=()
  for ((i = 0; i < REPEAT; i++)); do
    read -r a am < <(once alone "$target"); ac+=("$a"); alone+=("$am")
    read -r j jm < <(once joined "$target"); jc+=("$j"); joined+=("$jm")
    ncs+=("$(nc_once "$target")")
  done
  eval "$4"
  local amed jmed nmed
  amed=$(printf '%s\n' "${alone[@]}" | median); jmed=$(printf '%s\n' "${joined[@]}" | median); nmed=$(printf '%s\n' "${ncs[@]}" | median)
  printf '| %s | %s | %s | %s | %s | %s | +%s | %s |\n' "$name" "$(printf '%s\n' "${ac[@]}" | sort -u | paste -sd'|')" \
    "$(printf '%s\n' "${jc[@]}" | sort -u | paste -sd'|')" "$amed" "$jmed" "$nmed" "$((jmed - amed))" \
    "$(python3 -c "import sys; print(f'{int(sys.argv[1]) / max(1, int(sys.argv[2])):.2f}')" "$jmed" "$amed")"
}

echo "load $(cut -d' ' -f1-3 /proc/loadavg) at start; $REPEAT runs per way, alternating"
echo "| scenario | alone says | joined says | alone ms | joined ms | nc -z -w 5 ms | joined - alone ms | joined / alone |"
echo "|---|---|---|---:|---:|---:|---:|---:|"
row healthy 198.18.1.2:8080 : :
row server-firewall 198.18.1.2:8080 "ip netns exec $S iptables -A INPUT -p tcp --dport 8080 -j DROP" "ip netns exec $S iptables -F"
row router-drop 198.18.1.2:8080 "ip netns exec $R iptables -A FORWARD -p tcp --dport 8080 -j DROP" "ip netns exec $R iptables -F"
row loopback-listener 198.18.1.2:9090 : :
echo "load $(cut -d' ' -f1-3 /proc/loadavg) at end"
