#!/usr/bin/env bash
# Benchmark: reach's tcp.scan and path.trace (udp, tcp, icmp) against nmap -sT, tracepath and traceroute, in one run, on a
# namespace lab this script builds and removes (client - router - server, 198.18.0.0/15, wired only to each
# other). Needs root, ip and iptables; reach runs through the ./reach launcher as a user runs it (it builds
# the distribution and its start-up cache first when the sources changed). Installs nmap, iputils-tracepath
# and traceroute with apt-get if missing.
#
#   sudo plugins/net/bench.sh            # prints a table of timings and the ratios (other tool / reach)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
[ "$(id -u)" = 0 ] || { echo "bench.sh: needs root (it builds network namespaces)" >&2; exit 2; }
"$root/reach" --version >/dev/null || { echo "bench.sh: ./reach does not run" >&2; exit 2; }
need=()
command -v nmap >/dev/null || need+=(nmap)
command -v tracepath >/dev/null || need+=(iputils-tracepath)
command -v traceroute >/dev/null || need+=(traceroute)
[ ${#need[@]} -eq 0 ] || apt-get install -y -q "${need[@]}" >/dev/null

id=$(printf '%06x' $((RANDOM * 32768 + RANDOM)) | cut -c1-6)
cli=rb-$id-cli; rtr=rb-$id-rtr; srv=rb-$id-srv
home=$(mktemp -d /tmp/reach-bench.XXXXXX)
cleanup() {
    for ns in $cli $rtr $srv; do ip netns del "$ns" 2>/dev/null || true; done
    rm -rf "$home"
}
trap cleanup EXIT INT TERM

reach() { ip netns exec $cli "$root/reach" "$@"; }

for ns in $cli $rtr $srv; do ip netns add $ns; ip -n $ns link set lo up; done
ip link add v0-rtr netns $cli type veth peer name v0-cli netns $rtr
ip link add v1-srv netns $rtr type veth peer name v1-rtr netns $srv
ip -n $cli addr add 198.18.0.1/24 dev v0-rtr; ip -n $rtr addr add 198.18.0.254/24 dev v0-cli
ip -n $rtr addr add 198.18.1.254/24 dev v1-srv; ip -n $srv addr add 198.18.1.2/24 dev v1-rtr
ip -n $srv addr add 198.18.1.3/24 dev v1-rtr
for l in "$cli v0-rtr" "$rtr v0-cli" "$rtr v1-srv" "$srv v1-rtr"; do set -- $l; ip -n $1 link set $2 up; done
ip -n $cli route add 198.18.1.0/24 via 198.18.0.254
ip -n $srv route add 198.18.0.0/24 via 198.18.1.254
ip netns exec $rtr sysctl -q -w net.ipv4.ip_forward=1
ip netns exec $rtr iptables -A FORWARD -d 198.18.1.3 -j DROP   # a host behind the router that never answers

now() { date +%s.%N; }
secs() { python3 -c "print(f'{$2 - $1:.2f}')"; }
ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }
rows=()
run() { # name, then the command; prints the seconds it took
    local t0 t1; t0=$(now); "$@" > "$home/out.txt" 2> "$home/err.txt" || true; t1=$(now); secs "$t0" "$t1"
}

# 1. all 65535 ports closed
r1=$(run reach probe tcp.scan hosts=198.18.1.2 ports=1-65535 --json)
cp "$home/out.txt" "$home/scan1.json"
n1=$(run ip netns exec $cli nmap -sT -Pn -n -p1-65535 198.18.1.2)
grep -E "closed|filtered|open" "$home/out.txt" | head -3 | sed 's/^/    nmap: /' > "$home/nmap1.txt"

# 2. a DROP rule on 10000 ports (20000-29999), the rest closed
ip netns exec $srv iptables -A INPUT -p tcp --dport 20000:29999 -j DROP
r2=$(run reach probe tcp.scan hosts=198.18.1.2 ports=1-65535 --json)
cp "$home/out.txt" "$home/scan2.json"
n2=$(run ip netns exec $cli nmap -sT -Pn -n -p1-65535 198.18.1.2)
grep -E "closed|filtered|open" "$home/out.txt" | head -3 | sed 's/^/    nmap: /' > "$home/nmap2.txt"

# 3. trace through the router to the server, and towards a host whose packets the router drops (5 hops max)
t1=$(run reach probe path.trace host=198.18.1.2 --json); cp "$home/out.txt" "$home/trace1.json"
tp1=$(run ip netns exec $cli tracepath -n 198.18.1.2)
tr1=$(run ip netns exec $cli traceroute -n 198.18.1.2)
t2=$(run reach probe path.trace host=198.18.1.3 max_hops=5 timeout=1s --json); cp "$home/out.txt" "$home/trace2.json"
tp2=$(run ip netns exec $cli tracepath -n -m 5 198.18.1.3)
tr2=$(run ip netns exec $cli traceroute -n -m 5 -w 1 198.18.1.3)
# 4. the other methods against traceroute's own (-T: TCP SYN to port 80, closed there; -I: ICMP echo; both raw, as root)
t3=$(run reach probe path.trace host=198.18.1.2 method=tcp port=80 --json); cp "$home/out.txt" "$home/trace3.json"
tr3=$(run ip netns exec $cli traceroute -n -T -p 80 198.18.1.2)
t4=$(run reach probe path.trace host=198.18.1.2 method=icmp --json); cp "$home/out.txt" "$home/trace4.json"
tr4=$(run ip netns exec $cli traceroute -n -I 198.18.1.2)

facts() { python3 - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
f = d["steps"][0]["facts"]
h = f["hosts"][0]
print(f"    reach: {h['closed']} closed, {h['filtered']} filtered, open {h['open']}; scan {f['scan_ms']/1000:.2f}s in-process, "
      f"{f['rate_pps']} connects/s, srtt {f['srtt_ms']}ms, final wait {f['final_timeout_ms']}ms")
PY
}
echo "reach vs system tools on a namespace lab (2 hops), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
printf '%-44s %9s %9s %9s\n' "case" "reach s" "other s" "other/reach"
printf '%-44s %9s %9s %9s\n' "tcp.scan 1-65535, all closed vs nmap -sT" "$r1" "$n1" "$(ratio $n1 $r1)"
facts "$home/scan1.json"; cat "$home/nmap1.txt"
printf '%-44s %9s %9s %9s\n' "tcp.scan 1-65535, 10000 DROPped vs nmap -sT" "$r2" "$n2" "$(ratio $n2 $r2)"
facts "$home/scan2.json"; cat "$home/nmap2.txt"
trace() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); s=d['steps'][0]; print(f\"    reach: {s['summary']}; probe {s['duration_ms']/1000:.2f}s in-process\")" "$1"; }
printf '%-44s %9s %9s %9s\n' "path.trace to server vs tracepath" "$t1" "$tp1" "$(ratio $tp1 $t1)"
printf '%-44s %9s %9s %9s\n' "path.trace to server vs traceroute" "$t1" "$tr1" "$(ratio $tr1 $t1)"
trace "$home/trace1.json"
printf '%-44s %9s %9s %9s\n' "path.trace to dropped host vs tracepath" "$t2" "$tp2" "$(ratio $tp2 $t2)"
printf '%-44s %9s %9s %9s\n' "path.trace to dropped host vs traceroute" "$t2" "$tr2" "$(ratio $tr2 $t2)"
trace "$home/trace2.json"
printf '%-44s %9s %9s %9s\n' "path.trace method=tcp vs traceroute -T" "$t3" "$tr3" "$(ratio $tr3 $t3)"
trace "$home/trace3.json"
printf '%-44s %9s %9s %9s\n' "path.trace method=icmp vs traceroute -I" "$t4" "$tr4" "$(ratio $tr4 $t4)"
trace "$home/trace4.json"
echo "(reach times are the whole process through ./reach, JVM start-up included; ratios above 1 mean reach was faster)"
