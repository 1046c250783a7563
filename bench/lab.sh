# lab.sh — sourced by the bench scripts (not run): the lab of DiagnosisLabIT, client 198.18.0.1 — router — server
# 198.18.1.2 in three network namespaces wired only to each other (no link to the root namespace, no default route),
# removed on exit with every process the script started.
#   ID=xy$$; . "$ROOT/bench/lab.sh"
# gives C, R, S (the namespaces), TMP (a scratch folder) and PIDS (append the PID of each process you start; a
# RESIDENT_PID set later is stopped too).
C=$ID-c R=$ID-r S=$ID-s
TMP=$(mktemp -d)
PIDS=()
cleanup() {
  [ -n "${RESIDENT_PID:-}" ] && { kill "$RESIDENT_PID" 2>/dev/null || true; }
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for n in $C $R $S; do ip netns del "$n" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT

for n in $C $R $S; do ip netns add "$n"; ip -n "$n" link set lo up; done
ip link add c0 netns $C type veth peer name r0 netns $R
ip link add r1 netns $R type veth peer name s0 netns $S
ip -n $C addr add 198.18.0.1/24 dev c0; ip -n $R addr add 198.18.0.254/24 dev r0
ip -n $R addr add 198.18.1.254/24 dev r1; ip -n $S addr add 198.18.1.2/24 dev s0
for p in "$C c0" "$R r0" "$R r1" "$S s0"; do set -- $p; ip -n "$1" link set "$2" up; done
ip -n $C route add 198.18.1.0/24 via 198.18.0.254
ip -n $S route add 198.18.0.0/24 via 198.18.1.254
ip netns exec $R sysctl -qw net.ipv4.ip_forward=1
