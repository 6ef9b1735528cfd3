#!/bin/bash
# Replay fixture pcaps through tlsfp-dataplane (net_pcap vdev), read the
# records from the shared-memory region with tlsfp-shm-dump, and compare
# SNI/JA3/JA3S/JA4/JA4_o with the fixtures' expected.json. Then check that
# nothing is left behind (region file, DPDK runtime dir).
#
#   pcap-check.sh BUILD_DIR [--workers N] [--huge] [PCAP...]
#
# --huge: reserve 64 x 2 MB hugepages (root), mounting hugetlbfs on
# /dev/hugepages if nothing is mounted; the previous nr_hugepages and mount
# state are restored on exit.
set -u
B=$(realpath "$1"); shift
WORKERS=1 HUGE=0 PCAPS=()
while [ $# -gt 0 ]; do
	case "$1" in
	--workers) WORKERS=$2; shift 2 ;;
	--huge) HUGE=1; shift ;;
	*) PCAPS+=("$1"); shift ;;
	esac
done
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
[ ${#PCAPS[@]} -eq 0 ] && PCAPS=("$ROOT"/test/fixtures/clients/*.pcap)
TMP=$(mktemp -d /tmp/tlsfp-pcapcheck.XXXXXX)
OLD_NR=$(cat /proc/sys/vm/nr_hugepages) MOUNTED_BY_US=0
cleanup() {
	if [ "$HUGE" = 1 ]; then
		[ "$MOUNTED_BY_US" = 1 ] && umount /dev/hugepages && rmdir /dev/hugepages 2>/dev/null
		echo "$OLD_NR" > /proc/sys/vm/nr_hugepages
		echo "hugepages restored to $(cat /proc/sys/vm/nr_hugepages)"
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
ARGS=(--no-huge)
if [ "$HUGE" = 1 ]; then
	if ! grep -q ' hugetlbfs ' /proc/mounts; then
		mkdir -p /dev/hugepages && mount -t hugetlbfs nodev /dev/hugepages && MOUNTED_BY_US=1
	fi
	echo $((OLD_NR + 64)) > /proc/sys/vm/nr_hugepages
	echo "hugepages: $(cat /proc/sys/vm/nr_hugepages) (was $OLD_NR)"
	ARGS=()
fi
fail=0
for pcap in "${PCAPS[@]}"; do
	name=$(basename "$pcap" .pcap) inst="chk$$"
	"$B/shm/tlsfp-shm-dump" --instance "$inst" --wait 10 --follow --stats \
		> "$TMP/$name.jsonl" 2> "$TMP/$name.stats" &
	dump=$!
	"$B/app/tlsfp-dataplane" --instance "$inst" --workers "$WORKERS" "${ARGS[@]}" \
		--vdev "net_pcap0,rx_pcap=$pcap" --duration 1 --max-flows 4096 \
		--reasm-max-bytes 8388608 --ring-slots 256 > "$TMP/$name.out" 2>&1
	rc=$?
	wait $dump
	left=$(ls -d /dev/hugepages/tlsfp-$inst-* /dev/shm/tlsfp-$inst-* /var/run/dpdk/tlsfp-$inst-* 2>/dev/null)
	python3 - "$pcap" "${pcap%.pcap}.expected.json" "$TMP/$name.jsonl" <<'PY'
import json, sys
pcap, exp_path, got_path = sys.argv[1:]
exp = json.load(open(exp_path))["handshakes"]
got = [json.loads(l) for l in open(got_path)]
key = lambda h: (h.get("src_ip"), h.get("src_port"))
want = {key(h): h for h in exp}
have = {key(g): g for g in got}
bad = []
for k, h in want.items():
    g = have.get(k)
    if g is None:
        bad.append(f"missing {k}"); continue
    for f, v in (("sni", h.get("sni") or ""), ("ja3", h["ja3"]["hash"] if h.get("ja3") else ""),
                 ("ja4", h.get("ja4", "")), ("ja4_o", h.get("ja4_o", "")),
                 ("ja3s", (h.get("ja3s") or {}).get("hash", ""))):
        if g[f] != v: bad.append(f"{k} {f}: {g[f]!r} != {v!r}")
extra = [k for k in have if k not in want]
if extra: bad.append(f"extra records {extra}")
print(("OK  " if not bad else "BAD ") + f"{pcap.split('/')[-1]}: {len(got)} records, expected {len(exp)}")
for b in bad: print("    " + b)
sys.exit(1 if bad else 0)
PY
	[ $? -ne 0 ] && fail=1
	if [ $rc -ne 0 ] || [ -n "$left" ]; then
		echo "BAD $name: dataplane rc=$rc, left behind: $left"; cat "$TMP/$name.out"; fail=1
	fi
done
grep -h "region\|driver" "$TMP"/*.out | sort | uniq -c | head -4
echo "---- last stats"; cat "$TMP/$name.stats" | head -30
exit $fail
