#!/usr/bin/env bash
# diagnosis.sh — time-to-verdict of `reach HOST:PORT` against the classic manual sequence, per fault.
#
#   sudo bench/diagnosis.sh            (root: it builds network namespaces; needs ip, iptables, nft, dnsmasq,
#                                       python3, ping, nc, traceroute, dig, openssl)
#   REACH_HOME=/tmp/lab-home REACH_CP="shell/target/classes:dist/target/reach/lib/*" sudo -E bench/diagnosis.sh
#   REPEAT=5 sudo -E bench/diagnosis.sh   (runs per scenario and way, default 3; the table gives medians)
#   ROWS=healthy,tls-expired sudo -E bench/diagnosis.sh   (only these scenarios)
#   MANUAL=0 sudo -E bench/diagnosis.sh   (reach only: no manual sequences, no peer tool)
#
# reach runs through the ./reach launcher, as a user runs it (its start-up cache included), unless REACH_CP
# names another class path.
# Lab (the same as DiagnosisLabIT): client 198.18.0.1 — router — server 198.18.1.2 in three namespaces wired
# only to each other; dnsmasq on the server (web.lab.test), a python3 HTTP server on 8080, openssl s_server on 8443.
# For each scenario it times, inside the client namespace:
#   reach   — the verdict's cause; engine_ms (the run's own duration_ms, DNS to verdict) and process_ms
#             (the whole process of `reach TARGET --json`, JVM start to exit, REACH_RESIDENT=0);
#   resident — the same command handed by the launcher to a resident reach ('reach daemon start', started in
#             the client namespace before the first row, stopped by its PID at the end): launcher, perl
#             client and the run, end to end. A run it declined would print why (REACH_RESIDENT=explain)
#             and is shown as "declined";
#   manual  — the classic sequence, run one after the other as a person would; it shows raw outputs and names
#             no cause. Two ways, both timed:
#             minimal: dig +time=1 +tries=1; ping -c1 -W1; nc -z -w 5; traceroute -n -w 1 -q 1 -m 8 (only when
#                      nc failed); openssl s_client (TLS ports only) — the fastest a person who knows the
#                      flags can type it;
#             classic: dig; ping -c 3; nc -z -w 5; traceroute -n (only when nc failed); openssl s_client
#                      (TLS ports) — the tools' defaults (ping's -c 3 because its default never ends).
# Traffic: lab namespaces only.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
HOME_DIR=${REACH_HOME:-$ROOT/dist/target/reach}
REPEAT=${REPEAT:-3}   # runs per scenario and way; the tables give medians
CP=${REACH_CP:-$HOME_DIR/lib/*}
[ "$(id -u)" = 0 ] || { echo "diagnosis.sh: needs root (network namespaces)" >&2; exit 2; }
for t in ip iptables nft dnsmasq python3 ping nc traceroute dig openssl; do
  command -v "$t" >/dev/null || { echo "diagnosis.sh: $t is missing" >&2; exit 2; }
done

ID=bd$$
. "$ROOT/bench/lab.sh"   # C, R, S, TMP, PIDS; cleaned up on exit
ip -n $S addr add 198.18.1.3/24 dev s0   # a second nameserver address: nothing listens there (refusing) unless dropped
# No ICMP rate limit on the lab's router and server: the ways run back to back, and with the kernel's
# default (one error a second per peer after a burst) a run's REJECTs could be silenced by the runs before it
# (reject-icmp took 1.1 s or 2.1 s depending on what ran just before).
for n in $R $S; do ip netns exec "$n" sysctl -qw net.ipv4.icmp_ratelimit=0; done

printf 'nameserver 198.18.1.2\n' > "$TMP/resolv.conf"
printf 'nameserver 198.18.1.3\nnameserver 198.18.1.2\noptions timeout:1 attempts:1\n' > "$TMP/resolv2.conf"
printf '127.0.0.1 localhost\n' > "$TMP/hosts"
(cd "$TMP" && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=bench-ca 2>/dev/null \
  && openssl req -newkey rsa:2048 -nodes -keyout s.key -out s.csr -subj /CN=web.lab.test 2>/dev/null \
  && printf 'subjectAltName=DNS:web.lab.test\n' > ext \
  && openssl x509 -req -in s.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out expired.pem -days -1 -extfile ext 2>/dev/null \
  && printf 'subjectAltName=DNS:other.lab.test\n' > other.ext \
  && openssl x509 -req -in s.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out other.pem -days 2 -extfile other.ext 2>/dev/null \
  && openssl x509 -req -in s.csr -signkey s.key -out self.pem -days 2 -extfile ext 2>/dev/null)
ip netns exec $S dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces --listen-address=198.18.1.2 \
  --pid-file= --user=root --local=/lab.test/ --host-record=web.lab.test,198.18.1.2 2>/dev/null & PIDS+=($!)
ip netns exec $S python3 -c 'import http.server
class H(http.server.BaseHTTPRequestHandler):
    timeout = 5
    def do_HEAD(self):
        self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers()
    def do_GET(self):
        self.do_HEAD(); self.wfile.write(b"ok")
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("198.18.1.2", 8080), H).serve_forever()' & PIDS+=($!)
ip netns exec $S openssl s_server -accept 198.18.1.2:8443 -cert "$TMP/expired.pem" -key "$TMP/s.key" -quiet -www >/dev/null 2>&1 & PIDS+=($!)
ip netns exec $S openssl s_server -accept 198.18.1.2:8444 -cert "$TMP/other.pem" -key "$TMP/s.key" -quiet -www >/dev/null 2>&1 & PIDS+=($!)
ip netns exec $S openssl s_server -accept 198.18.1.2:8445 -cert "$TMP/self.pem" -key "$TMP/s.key" -quiet -www >/dev/null 2>&1 & PIDS+=($!)
sleep 1

ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

resident_median() { # the median, "declined" if any run was, "-" without a resident reach
  if [ $# = 0 ]; then echo -; elif printf '%s\n' "$@" | grep -q declined; then echo declined; else printf '%s\n' "$@" | median; fi
}

reach() { # TARGET [--set k=v ...] -> "cause engine_ms process_ms resident_ms", medians of $REPEAT runs
  local cmd i t0 c e out="$TMP/out.json" causes=() engines=() took=() resident=()
  if [ -n "${REACH_CP:-}" ]; then
    cmd=("$JAVA" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Dreach.home="$HOME_DIR" -cp "$REACH_CP" dev.reach.shell.Main)
  else
    cmd=("$ROOT/reach")
  fi
  for ((i = 0; i < REPEAT; i++)); do
    t0=$(date +%s%N)
    REACH_RESIDENT=0 ip netns exec $C "${cmd[@]}" "$@" --json \
      --set resolv_conf="$TMP/resolv.conf" --set hosts_file="$TMP/hosts" --set system=hosts > "$out" 2>/dev/null || true
    took+=("$(ms "$t0")")
    if [ -n "${RESIDENT_PID:-}" ]; then
      t0=$(date +%s%N)
      REACH_RESIDENT=explain ip netns exec $C "${cmd[@]}" "$@" --json \
        --set resolv_conf="$TMP/resolv.conf" --set hosts_file="$TMP/hosts" --set system=hosts > "$TMP/resident.json" 2> "$TMP/resident.err" || true
      e=$(ms "$t0")
      grep -q 'not handed to a resident' "$TMP/resident.err" && e=declined
      resident+=("$e")
    fi
    # read after the clock stops: a python3 start (0.35 s through a pyenv shim) must not be timed as reach's
    read -r c e < <(python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["verdict"]["cause"], round(j["duration_ms"]))' \
      < "$out" 2>/dev/null || echo "none -")
    causes+=("$c"); engines+=("$e")
  done
  # every cause the runs gave (one, when they agree: a|b says they did not), the medians of the times
  echo "$(printf '%s\n' "${causes[@]}" | sort -u | paste -sd'|') $(printf '%s\n' "${engines[@]}" | median) $(printf '%s\n' "${took[@]}" | median) $(resident_median "${resident[@]}")"
}

manual_once() { # minimal|classic NAME-OR-ADDRESS PORT -> ms
  local how=$1 host=$2 port=$3 addr=$2 t0; t0=$(date +%s%N)
  local digopt=() pingopt=(-c 3) troute=(traceroute -n)
  [ "$how" = minimal ] && { digopt=(+time=1 +tries=1); pingopt=(-c1 -W1); troute=(traceroute -n -w 1 -q 1 -m 8); }
  if [[ ! $host =~ ^[0-9.]+$ ]]; then
    addr=$(ip netns exec $C dig +short "${digopt[@]}" @198.18.1.2 "$host" A 2>/dev/null | head -1 || true)
    [ -n "$addr" ] || { ms "$t0"; return; }
  fi
  ip netns exec $C ping "${pingopt[@]}" "$addr" >/dev/null 2>&1 || true
  if ! ip netns exec $C nc -z -w 5 "$addr" "$port" >/dev/null 2>&1; then
    ip netns exec $C timeout 60 "${troute[@]}" "$addr" >/dev/null 2>&1 || true
  elif [ "$port" = 8443 ]; then
    ip netns exec $C timeout 5 openssl s_client -connect "$addr:$port" -servername "$host" </dev/null >/dev/null 2>&1 || true
  fi
  ms "$t0"
}

peer_once() { # nc|ping|dig|openssl NAME-OR-ADDRESS PORT -> ms of the one tool a person would reach for first
  local tool=$1 host=$2 port=$3 addr=$2 t0
  [[ $host =~ ^[0-9.]+$ ]] || addr=198.18.1.2
  t0=$(date +%s%N)
  case $tool in
    nc) ip netns exec $C nc -z -w 5 "$addr" "$port" >/dev/null 2>&1 || true ;;
    ping) ip netns exec $C ping -c1 -W1 "$addr" >/dev/null 2>&1 || true ;;
    dig) ip netns exec $C dig +time=1 "@$(awk '/^nameserver/ {print $2; exit}' "${PEER_RESOLV:-$TMP/resolv.conf}")" "$host" >/dev/null 2>&1 || true ;;
    openssl) ip netns exec $C timeout 5 openssl s_client -connect "$addr:$port" -servername "$host" -verify_return_error \
               -CAfile "$TMP/ca.pem" </dev/null >/dev/null 2>&1 || true ;;
  esac
  ms "$t0"
}

peer() { # TOOL NAME-OR-ADDRESS PORT -> median ms of $REPEAT runs
  local i; for ((i = 0; i < REPEAT; i++)); do peer_once "$@"; done | median
}

manual() { # minimal|classic NAME-OR-ADDRESS PORT -> median ms of $REPEAT runs
  local i; for ((i = 0; i < REPEAT; i++)); do manual_once "$@"; done | median
}

if [ -z "${REACH_CP:-}" ]; then   # the resident reach serves commands run through the launcher
  ip netns exec $C "$ROOT/reach" daemon start --idle 10m >&2
  RESIDENT_PID=$(ip netns exec $C sh -c 'd=${XDG_RUNTIME_DIR:+$XDG_RUNTIME_DIR/reach}; d=${d:-/tmp/reach-$(id -u)}; head -1 "$d/net-$(readlink /proc/self/ns/net | tr -dc 0-9).pid"')
fi
FMT='%-19s %-20s %-24s %9s %10s %11s %10s %10s %-8s %8s %6s\n'
printf "$FMT" scenario target verdict engine_ms process_ms resident_ms minimal_ms classic_ms peer peer_ms ratio
row() { # NAME TARGET HOST PORT PEER [--set ...]; the ratio is reach's whole process over the peer tool
  local out
  local name=$1 target=$2 host=$3 port=$4 tool=$5; shift 5
  [[ -z ${ROWS:-} || ,$ROWS, == *,$name,* ]] || return 0
  out=$(reach "$target" "$@"); local cause rms ems res
  read -r cause ems rms res <<< "$out"
  local min=- cla=- pms=-
  if [ "${MANUAL:-1}" != 0 ]; then
    pms=$(peer "$tool" "$host" "$port"); min=$(manual minimal "$host" "$port"); cla=$(manual classic "$host" "$port")
  fi
  printf "$FMT" "$name" "$target" "$cause" "$ems" "$rms" "$res" "$min" "$cla" "$tool" "$pms" \
    "$(python3 -c "import sys; print(f'{int(sys.argv[1]) / max(1, int(sys.argv[2])):.2f}')" "$rms" "$pms" 2>/dev/null || echo -)" | tee -a "$TMP/rows"
}
flush() { for n in $R $S; do ip netns exec "$n" iptables -F; done; }

row healthy web.lab.test:8080 web.lab.test 8080 nc
row service-down web.lab.test:8081 web.lab.test 8081 nc
ip netns exec $S iptables -A INPUT -p tcp --dport 8080 -j DROP
row firewall-drop web.lab.test:8080 web.lab.test 8080 nc
flush; ip netns exec $S iptables -A INPUT -p icmp -j ACCEPT; ip netns exec $S iptables -A INPUT -j DROP
row all-but-ping-dropped 198.18.1.2:8080 198.18.1.2 8080 nc
flush; ip netns exec $R iptables -A FORWARD -p tcp --dport 8080 -j REJECT --reject-with icmp-admin-prohibited
row reject-icmp web.lab.test:8080 web.lab.test 8080 nc
flush; ip netns exec $S iptables -A INPUT -p tcp -j DROP; ip netns exec $S iptables -A INPUT -p icmp --icmp-type echo-request -j DROP
row tcp-ping-dropped 198.18.1.2:8080 198.18.1.2 8080 nc
flush; ip netns exec $S iptables -A INPUT -j DROP
row all-dropped 198.18.1.2:8080 198.18.1.2 8080 nc
flush; ip netns exec $S iptables -A INPUT -p tcp --dport 8080 -j REJECT --reject-with tcp-reset
row reject-reset web.lab.test:8080 web.lab.test 8080 nc
flush; ip netns exec $R iptables -A FORWARD -p icmp -j DROP
row icmp-blocked web.lab.test:8080 web.lab.test 8080 nc
flush; ip netns exec $S iptables -A INPUT -p icmp --icmp-type echo-request -m limit --limit 10/s --limit-burst 5 -j ACCEPT
ip netns exec $S iptables -A INPUT -p icmp --icmp-type echo-request -j DROP
row icmp-rate-limited web.lab.test:8080 web.lab.test 8080 nc
flush; ip netns exec $S iptables -A INPUT -p tcp --dport 8080 --syn -m limit --limit 1/s --limit-burst 1 -j ACCEPT
ip netns exec $S iptables -A INPUT -p tcp --dport 8080 --syn -j DROP
row syn-rate-limited web.lab.test:8080 web.lab.test 8080 nc
flush; ip netns exec $R iptables -A FORWARD -m statistic --mode random --probability 0.3 -j DROP
row loss-30 198.18.1.2:8080 198.18.1.2 8080 nc
flush
ip -n $C route add 198.18.7.0/24 via 198.18.0.77   # a gateway address nobody holds
row wrong-gateway 198.18.7.2:8080 198.18.7.2 8080 ping
ip -n $C route del 198.18.7.0/24
# the gateway itself goes dark: it drops everything, ARP included (nft's arp family), while the client may still hold its MAC
for f in arp inet; do
  ip netns exec $R nft add table $f dark
  ip netns exec $R nft add chain $f dark input_drop '{ type filter hook input priority 0; policy drop; }'
done
ip netns exec $R nft add chain inet dark forward_drop '{ type filter hook forward priority 0; policy drop; }' 
row gateway-down 198.18.1.2:8080 198.18.1.2 8080 ping
ip netns exec $R nft delete table arp dark; ip netns exec $R nft delete table inet dark
ip -n $C route add 198.18.5.0/24 via 198.18.0.254   # the router has no route onward: it answers net-unreachable
row no-route-onward 198.18.5.5:8080 198.18.5.5 8080 ping
ip -n $C route del 198.18.5.0/24
row host-off 198.18.1.99:8080 198.18.1.99 8080 ping
row no-route 198.19.5.5:8080 198.19.5.5 8080 ping
row dns-nxdomain nope.lab.test:8080 nope.lab.test 8080 dig
row dns-first-refusing web.lab.test:8080 web.lab.test 8080 dig --set resolv_conf="$TMP/resolv2.conf"
for a in 198.18.1.2 198.18.1.3; do for p in udp tcp; do ip netns exec $S iptables -A INPUT -d $a -p $p --dport 53 -j DROP; done; done
PEER_RESOLV="$TMP/resolv2.conf" row dns-both-dropped web.lab.test:8080 web.lab.test 8080 dig --set resolv_conf="$TMP/resolv2.conf"
flush
row tls-expired web.lab.test:8443 web.lab.test 8443 openssl --set ca="$TMP/ca.pem"
row tls-wrong-name web.lab.test:8444 web.lab.test 8444 openssl --set ca="$TMP/ca.pem"
row tls-untrusted web.lab.test:8445 web.lab.test 8445 openssl --set ca="$TMP/ca.pem"
if [ -n "${RESIDENT_PID:-}" ]; then
  ip netns exec $C "$ROOT/reach" daemon stop >&2   # by its PID; cleanup kills it too should this fail
  RESIDENT_PID=
fi

python3 - "$TMP/rows" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
def num(v):
    try: return float(v)
    except ValueError: return None
engine = [num(r[3]) for r in rows if r[0] != 'loss-30' and num(r[3]) is not None]
process = [num(r[4]) for r in rows if r[0] != 'loss-30' and num(r[4]) is not None]
print(f"\n{len(rows)} scenarios; without injected loss: median time-to-verdict {statistics.median(engine):.0f} ms in the engine, "
      f"{statistics.median(process):.0f} ms for the whole process (JVM start to exit)")
resident = [num(r[5]) for r in rows if r[0] != 'loss-30' and num(r[5]) is not None]
if resident:
    print(f"with the resident reach: median {statistics.median(resident):.0f} ms end to end (launcher, client and run)")
for way, wcol in (('whole process', 4), ('resident', 5)):
    for col, name in ((6, 'minimal'), (7, 'classic')):
        if all(num(r[wcol]) is None for r in rows) or all(num(r[col]) is None for r in rows): continue
        slower = [r[0] for r in rows if num(r[wcol]) is None or num(r[wcol]) > num(r[col])]
        print(f"reach ({way}) vs the {name} manual sequence: faster in {len(rows) - len(slower)} of {len(rows)}"
              + (f"; slower in (or declined): {', '.join(slower)}" if slower else ""))
print(f"load average at the end: {open('/proc/loadavg').read().split()[0]}, {__import__('os').cpu_count()} cores")
PY
