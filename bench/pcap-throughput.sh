#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# End-to-end throughput of `tlsfp pcap` (CLI → addon → capture reader →
# pipeline → EVE writer) on one capture.
#
#   bench/pcap-throughput.sh CAPTURE [--runs N] [--cold] [-- CLI OPTIONS...]
#
# Runs `node dist/src/cli/main.js pcap CAPTURE --eve /dev/null` N times
# (default 3) under /usr/bin/time -v and prints, per run: packets/s as the
# CLI's own stderr summary reports it, wall time, user+system CPU, CPU share,
# max RSS, and the capture's file bytes over wall time in Gbit/s.
#
# The capture is read once into the page cache first (cat > /dev/null) so the
# figures measure tlsfp, not the disk; --cold skips that (the first run then
# includes reading the file from disk, if it is not cached already). The
# page cache is never dropped: the machine is shared.
#
# Needs the built CLI and addon: npm run build (dist/ and
# native/build/Release/tlsfp.node).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
runs=3
cold=0
capture=
extra=()

while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=$2; shift 2 ;;
	--cold) cold=1; shift ;;
	--) shift; extra=("$@"); break ;;
	-h|--help) sed -n '3,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "pcap-throughput.sh: unknown option $1" >&2; exit 2 ;;
	*) capture=$1; shift ;;
	esac
done
[ -n "$capture" ] || { echo "usage: pcap-throughput.sh CAPTURE [--runs N] [--cold] [-- CLI OPTIONS...]" >&2; exit 2; }
[ -f "$capture" ] || { echo "pcap-throughput.sh: $capture: no such file" >&2; exit 1; }
cli=$repo/dist/src/cli/main.js
[ -f "$cli" ] || { echo "pcap-throughput.sh: $cli missing: run npm run build" >&2; exit 1; }

bytes=$(stat -c %s "$capture")
[ "$cold" = 1 ] || cat "$capture" >/dev/null
echo "capture $capture ($((bytes / 1048576)) MiB), $runs run(s), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "command node $cli pcap $capture --eve /dev/null ${extra[*]:-}"
if [ -f "$capture.json" ]; then
	echo "expected $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["handshakes_expected"])' "$capture.json") handshakes (make-capture)"
fi

err=$(mktemp)
trap 'rm -f "$err"' EXIT
for i in $(seq 1 "$runs"); do
	rc=0
	/usr/bin/time -v node "$cli" pcap "$capture" --eve /dev/null "${extra[@]}" 2>"$err" >/dev/null || rc=$?
	if [ "$rc" != 0 ]; then
		echo "run $i: exit status $rc" >&2
		cat "$err" >&2
		exit 1
	fi
	# "tlsfp: FILE: N packets, X MB, H handshakes in T s (P packets/s)"
	summary=$(grep -m1 -E 'packets/s\)' "$err" || true)
	pps=$(sed -n 's/.*(\([0-9.]*\) packets\/s).*/\1/p' <<<"$summary")
	hs=$(sed -n 's/.*, \([0-9]*\) handshakes in .*/\1/p' <<<"$summary")
	wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$err")
	user=$(sed -n 's/.*User time (seconds): //p' "$err")
	sys=$(sed -n 's/.*System time (seconds): //p' "$err")
	cpu=$(sed -n 's/.*Percent of CPU this job got: //p' "$err")
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$err")
	python3 - "$i" "${pps:-?}" "${hs:-?}" "$wall" "$user" "$sys" "$cpu" "$rss" "$bytes" <<'EOF'
import sys
i, pps, hs, wall, user, sys_, cpu, rss, nbytes = sys.argv[1:]
parts = [float(x) for x in wall.split(":")]
sec = sum(p * 60 ** k for k, p in enumerate(reversed(parts)))
pps_s = f"{float(pps):10.0f}" if pps != "?" else "         ?"
print(f"run {i}: {pps_s} packets/s (CLI summary)  wall {sec:6.2f} s  cpu {float(user) + float(sys_):6.2f} s "
      f"(user {user}, sys {sys_}, {cpu})  max RSS {int(rss) / 1024:6.1f} MiB  "
      f"{int(nbytes) * 8 / sec / 1e9:6.3f} Gbit/s file/wall  {hs} handshakes")
EOF
done
