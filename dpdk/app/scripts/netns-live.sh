#!/bin/bash
# Live run of tlsfp-dataplane on net_af_packet, entirely inside network
# namespaces this script creates (and removes, whatever happens):
#
#   tlsfpdp-a: openssl s_server 10.99.0.1:8443 + tlsfp-dataplane on veth tlsfpdp-va
#   tlsfpdp-b: curl https://server.test:8443/ from 10.99.0.2 (veth tlsfpdp-vb)
#
# The records read from the region must be one per curl connection, with
# SNI server.test, JA4 equal to the curl-tls13 fixture's, and JA3 equal to
# what tshark computes from a tcpdump capture taken at the same time.
#
#   netns-live.sh BUILD_DIR [WORKERS] [CONNECTIONS] [af_packet|tap]
#
# tap: the data plane reads a net_tap port instead (multi-queue, so the
# symmetric RSS path is used with WORKERS > 1); tc mirrors both directions
# of tlsfpdp-va into it, like a SPAN port.
set -u
B=$(realpath "$1"); W=${2:-1}; N=${3:-5}; MODE=${4:-af_packet}
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
TMP=$(mktemp -d /tmp/tlsfp-live.XXXXXX)
NA=tlsfpdp-a NB=tlsfpdp-b INST=live$$
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	sleep 0.5
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	ip netns del $NA 2>/dev/null; ip netns del $NB 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

ip netns add $NA && ip netns add $NB || exit 1
ip link add tlsfpdp-va type veth peer name tlsfpdp-vb
ip link set tlsfpdp-va netns $NA && ip link set tlsfpdp-vb netns $NB
ip -n $NA addr add 10.99.0.1/24 dev tlsfpdp-va && ip -n $NA link set tlsfpdp-va up && ip -n $NA link set lo up
ip -n $NB addr add 10.99.0.2/24 dev tlsfpdp-vb && ip -n $NB link set tlsfpdp-vb up && ip -n $NB link set lo up
# No TSO/GSO/GRO: every frame the capture sees is a real MTU-sized frame.
ip netns exec $NA ethtool -K tlsfpdp-va tso off gso off gro off >/dev/null 2>&1
ip netns exec $NB ethtool -K tlsfpdp-vb tso off gso off gro off >/dev/null 2>&1

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
	-subj /CN=server.test -keyout "$TMP/key.pem" -out "$TMP/cert.pem" 2>/dev/null
ip netns exec $NA openssl s_server -quiet -accept 8443 -www \
	-cert "$TMP/cert.pem" -key "$TMP/key.pem" > "$TMP/server.log" 2>&1 &
PIDS+=($!)
ip netns exec $NA tcpdump -i tlsfpdp-va -w "$TMP/live.pcap" -U 'tcp port 8443' 2>/dev/null &
PIDS+=($!)

"$B/shm/tlsfp-shm-dump" --instance "$INST" --wait 15 --follow --stats \
	> "$TMP/records.jsonl" 2> "$TMP/dump.stats" &
DUMP=$!; PIDS+=($DUMP)
VDEV=net_af_packet0,iface=tlsfpdp-va
[ "$MODE" = tap ] && VDEV=net_tap0,iface=tlsfpdp-tap
ip netns exec $NA "$B/app/tlsfp-dataplane" --instance "$INST" --workers "$W" --no-huge \
	--vdev "$VDEV" --max-flows 4096 --reasm-max-bytes 8388608 \
	> "$TMP/dataplane.log" 2>&1 &
DP=$!; PIDS+=($DP)
for i in $(seq 50); do grep -q running "$TMP/dataplane.log" 2>/dev/null && break; sleep 0.1; done
if [ "$MODE" = tap ]; then
	ip -n $NA link set tlsfpdp-tap up
	tc -n $NA qdisc add dev tlsfpdp-va clsact
	tc -n $NA filter add dev tlsfpdp-va ingress protocol all u32 match u32 0 0 action mirred egress mirror dev tlsfpdp-tap
	tc -n $NA filter add dev tlsfpdp-va egress protocol all u32 match u32 0 0 action mirred egress mirror dev tlsfpdp-tap
fi
sleep 0.5

ok=0
for i in $(seq "$N"); do
	ip netns exec $NB curl -sk --tlsv1.3 --http2 --max-time 5 --resolve server.test:8443:10.99.0.1 \
		https://server.test:8443/ -o /dev/null && ok=$((ok + 1))
done
sleep 1
kill -TERM $DP; wait $DP; rc=$?
wait $DUMP
echo "curl connections ok: $ok/$N, dataplane exit $rc"
cat "$TMP/dataplane.log"
head -3 "$TMP/records.jsonl"
grep -E "^port|^worker|handshakes|records_dropped|packets " "$TMP/dump.stats"
tshark -r "$TMP/live.pcap" -Y 'tls.handshake.type == 1' -T fields -e tls.handshake.ja3 \
	2>/dev/null | sort > "$TMP/tshark.ja3"
left=$(ls -d /dev/hugepages/tlsfp-$INST-* /dev/shm/tlsfp-$INST-* /var/run/dpdk/tlsfp-$INST-* 2>/dev/null)
python3 - "$TMP/records.jsonl" "$TMP/tshark.ja3" "$ROOT/test/fixtures/clients/curl-tls13.expected.json" "$ok" "$rc" "$left" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
tshark = sorted(l.strip() for l in open(sys.argv[2]) if l.strip())
fx = json.load(open(sys.argv[3]))["handshakes"][0]
ok, rc, left = int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
bad = []
if len(recs) != ok: bad.append(f"{len(recs)} records for {ok} connections")
if sorted(r["ja3"] for r in recs) != tshark: bad.append(f"ja3 differ from tshark {tshark}")
for r in recs:
    if r["sni"] != "server.test" or r["ja4"] != fx["ja4"] or r["ja3s"] == "" or r["src_ip"] != "10.99.0.2":
        bad.append(f"record {r}")
if rc != 0: bad.append(f"exit {rc}")
if left: bad.append(f"left behind: {left}")
print("LIVE " + ("OK" if not bad else "BAD") + f": {len(recs)} records, ja4 {fx['ja4']}, ja3 == tshark for all")
for b in bad: print("  " + b)
sys.exit(1 if bad else 0)
PY
