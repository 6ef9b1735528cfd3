#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# One worker of tlsfp-dataplane against DPDK's own dpdk-testpmd in rxonly
# mode, on the same capture replayed in memory (net_pcap infinite_rx) and the
# same core, one after the other in one run, so the ratio is comparable on a
# noisy machine.
#
#   bench/dataplane-vs-testpmd.sh [CAPTURE] [--seconds N] [--cpus MAIN,WORKER]
#
# Without CAPTURE, a 60k-packet default mix is made with bench/make-capture.py.
# Both run with --no-pci, their own --file-prefix and --no-huge (so the
# comparison does not depend on free hugepages); both print packets/s.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=10
cpus=0,1
cap=""
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --cpus) cpus=$2; shift 2 ;;
    *) cap=$1; shift ;;
  esac
done
build=${TLSFP_BUILD:-build/bench-dp}
if [ ! -x "$build/app/tlsfp-dataplane" ] || [ ! -x "$build/shm/tlsfp-shm-dump" ]; then
  cmake -S dpdk -B "$build" -DCMAKE_BUILD_TYPE=Release -DTLSFP_TESTS=OFF >/dev/null
  cmake --build "$build" -j"$(nproc)" >/dev/null
fi
dataplane=$build/app/tlsfp-dataplane
dump=$build/shm/tlsfp-shm-dump
command -v dpdk-testpmd >/dev/null || { echo "dpdk-testpmd missing: apt-get install dpdk-dev" >&2; exit 1; }
if [ -z "$cap" ]; then
  cap=build/bench-data/mix-60k.pcap
  [ -f "$cap" ] || python3 bench/make-capture.py --packets 60000 --seed 1 --out "$cap" >&2
fi
packets=$(python3 -c "
import struct,sys
f=open(sys.argv[1],'rb'); f.read(24); n=0
while True:
    h=f.read(16)
    if len(h)<16: break
    n+=1; f.seek(struct.unpack('<IIII',h)[2],1)
print(n)" "$cap")
mbufs=$(( (packets + 4096) | 1023 ))  # infinite_rx keeps the whole capture in mbufs
vdev="net_pcap0,rx_pcap=$(realpath "$cap"),infinite_rx=1"
main_cpu=${cpus%,*}; worker_cpu=${cpus#*,}

# --- dpdk-testpmd, rxonly, forwarding lcore on the worker CPU -------------
log=$(mktemp)
timeout -s INT $((2 * seconds + 8)) dpdk-testpmd -l "$main_cpu,$worker_cpu" --main-lcore "$main_cpu" \
  --no-pci --no-huge -m 2048 --file-prefix "tlsfp-bench-testpmd-$$" --log-level=warning \
  --vdev "$vdev" -- --forward-mode=rxonly --auto-start --total-num-mbufs="$mbufs" \
  --stats-period "$seconds" >"$log" 2>&1 </dev/null || true
testpmd_pps=$(grep -Eo 'Rx-pps: +[0-9]+' "$log" | awk '{print $2}' | sort -n | tail -1)
rm -f "$log"; rm -rf "/var/run/dpdk/tlsfp-bench-testpmd-$$"

# --- tlsfp-dataplane, one worker, performance mode ------------------------
# The shm consumer drains the records and prints the counters at the end.
log=$(mktemp)
"$dump" --follow --wait 30 --stats --instance "bench_$$" >/dev/null 2>"$log" &
dump_pid=$!
"$dataplane" --instance "bench_$$" --workers 1 --cpus "$main_cpu,$worker_cpu" --no-huge \
  --vdev "$vdev" --mbufs "$mbufs" --idle-backoff off --duration "$seconds" \
  --ring-slots 16384 >/dev/null 2>>"$log" || { echo "tlsfp-dataplane failed:" >&2; cat "$log" >&2; }
wait "$dump_pid" || true
# "port 0 : ... rx N bytes ..." from tlsfp-shm-dump --stats
rx=$(grep -E '^port 0 ' "$log" | grep -Eo ' rx [0-9]+' | grep -Eo '[0-9]+' | head -1 || true)
[ -n "$rx" ] || { echo "tlsfp-dataplane gave no counters:" >&2; cat "$log" >&2; exit 1; }
tlsfp_pps=$(python3 -c "print(int(${rx:-0}) / $seconds)")
echo "capture: $cap ($packets packets), ${seconds}s each, cpus main=$main_cpu worker=$worker_cpu"
echo "dpdk-testpmd rxonly:   ${testpmd_pps:-?} packets/s"
echo "tlsfp-dataplane 1 wk:  ${tlsfp_pps:-?} packets/s"
[ -n "$testpmd_pps" ] && [ -n "$tlsfp_pps" ] &&
  python3 -c "print(f'ratio tlsfp/testpmd: {float(\"$tlsfp_pps\")/float(\"$testpmd_pps\"):.3f}')"
tail -5 "$log" >&2
[ -n "${KEEP_LOG:-}" ] && cat "$log" >&2; rm -f "$log"
