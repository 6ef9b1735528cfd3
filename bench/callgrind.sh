#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Instruction profile of the fingerprint core, per packet.
#
#   bench/callgrind.sh [CAPTURE] [--packets N] [--top N]
#
# Runs bench/c-pipeline (one pass) under valgrind --tool=callgrind, collecting
# only inside bench_pass() (the timed region: tlsfp_pipeline_input over every
# frame + tlsfp_pipeline_flush), and prints
#   - the instructions per packet of the whole pipeline,
#   - the top functions by self cost (inlined code is credited to the function
#     it was inlined into; libcrypto has no symbols here and is one line),
#   - the top functions by inclusive cost.
# Instruction counts do not depend on the load of the machine: compare them
# before/after a change. The raw profile stays in build/bench-data/ for
# callgrind_annotate or kcachegrind.
#
# Without CAPTURE, a 20k-packet capture is made with bench/make-capture.py
# (seed 1, default mix) at build/bench-data/callgrind-20k.pcap, afresh each
# run; --packets N changes its size.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
build=${TLSFP_BENCH_BUILD:-$repo/build/bench}
data=$repo/build/bench-data
packets=20000
top=15
capture=

while [ $# -gt 0 ]; do
	case $1 in
	--packets) packets=$2; shift 2 ;;
	--top) top=$2; shift 2 ;;
	-h|--help) sed -n '3,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "callgrind.sh: unknown option $1" >&2; exit 2 ;;
	*) capture=$1; shift ;;
	esac
done

command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }

# Others may be mid-edit in dpdk/: if the build fails, say so and use the
# driver built last time, if there is one.
if ! { cmake -S "$here" -B "$build" && cmake --build "$build" -j2 --target c-pipeline; } \
	>"$build.log" 2>&1; then
	[ -x "$build/c-pipeline" ] || { cat "$build.log" >&2; exit 1; }
	echo "callgrind.sh: build failed (see $build.log); using the previous $build/c-pipeline" >&2
fi

mkdir -p "$data"
if [ -z "$capture" ]; then
	# Made afresh each run (0.3 s), so it follows the current fixtures.
	capture=$data/callgrind-$((packets / 1000))k.pcap
	python3 "$here/make-capture.py" --packets "$packets" --seed 1 --out "$capture"
fi

out=$data/callgrind.out
log=$data/callgrind.log
valgrind --tool=callgrind --toggle-collect=bench_pass --callgrind-out-file="$out" \
	"$build/c-pipeline" --repeat 1 "$capture" >"$log" 2>&1 ||
	{ cat "$log" >&2; exit 1; }
frames=$(sed -n 's/^capture .*: \([0-9]*\) frames.*/\1/p' "$log")
records=$(sed -n 's/^records \([0-9]*\) .*/\1/p' "$log")

self=$(callgrind_annotate --auto=no --inclusive=no --threshold=100 "$out" 2>/dev/null)
incl=$(callgrind_annotate --auto=no --inclusive=yes --threshold=100 "$out" 2>/dev/null)

python3 - "$frames" "$records" "$top" "$capture" <<EOF
import re, sys
frames, records, top, capture = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
line = re.compile(r"^\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$")

def parse(text):
    """{function: Ir} from callgrind_annotate lines 'Ir (pct)  file:function [obj]'."""
    total, rows = 0, []
    for l in text.splitlines():
        m = line.match(l)
        if not m:
            continue
        ir, what = int(m.group(1).replace(",", "")), m.group(2)
        if what == "PROGRAM TOTALS":
            total = ir
            continue
        obj = re.search(r"\[(.*)\]\s*$", what)
        fn = re.sub(r"\s*\[.*\]\s*$", "", what)
        fn = fn.rsplit(":", 1)[-1] if ":" in fn else fn
        if fn.startswith("0x"):  # no symbols (libcrypto, libc internals)
            fn = (obj.group(1).rsplit("/", 1)[-1] if obj else "?") + " (no symbols)"
        rows.append((fn, ir))
    return total, rows

total, self_rows = parse("""$self""")
_, incl_rows = parse("""$incl""")
agg = {}
for fn, ir in self_rows:
    agg[fn] = agg.get(fn, 0) + ir
inc = {}
for fn, ir in incl_rows:
    # the same function appears once per file spelling: keep the largest
    inc[fn] = max(inc.get(fn, 0), ir)
skip = {"main", "bench_pass", "(below main)", "__libc_start_main@@GLIBC_2.34",
        "ld-linux-x86-64.so.2 (no symbols)", "__libc_start_call_main"}

print(f"capture   {capture}")
import json, os
exp = ""
if os.path.exists(capture + ".json"):
    e = json.load(open(capture + ".json"))["handshakes_expected"]
    exp = f" (make-capture expected {e}{'' if e == records else ' - MISMATCH'})"
print(f"packets   {frames}   records {records}{exp}")
per_rec = f"{total / records:,.0f} per handshake record" if records else "no records"
print(f"total     {total:,} instructions = {total / frames:.1f} per packet ({per_rec})")
print()
print(f"top {top} functions by self cost (instructions per packet, share):")
for fn, ir in sorted(agg.items(), key=lambda kv: -kv[1])[:top]:
    print(f"  {ir / frames:8.1f}  {100 * ir / total:5.1f}%  {fn}")
print()
print(f"top {top} functions by inclusive cost:")
rows = [kv for kv in sorted(inc.items(), key=lambda kv: -kv[1])
        if kv[0] not in skip and not kv[0].endswith("(no symbols)")]
for fn, ir in rows[:top]:
    print(f"  {ir / frames:8.1f}  {100 * ir / total:5.1f}%  {fn}")
EOF
echo
echo "profile: $out (callgrind_annotate --inclusive=yes $out | less)"
