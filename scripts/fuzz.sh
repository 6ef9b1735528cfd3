#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Build the libFuzzer targets of dpdk/fuzz/ with clang and run each one for
# SECONDS_PER_TARGET seconds (default 10).
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]
#
# Environment:
#   TLSFP_FUZZ_BUILD    build directory (default: build/fuzz)
#   TLSFP_FUZZ_TARGETS  space-separated subset of targets (default: all)
#
# Each target runs on a fresh COPY of its committed seeds
# (dpdk/fuzz/corpus/<target>/ -> <build>/corpus/<target>/), so the
# repository's corpus never grows by itself; the script prints where new
# inputs went and how to merge the interesting ones back. Crash, leak,
# timeout and out-of-memory reproducers go to <build>/artifacts/<target>-*.
# Exit status: 0 if every target ran clean, 1 otherwise (2 on a build error),
# with the reproducer paths printed. Safe to run again: each run starts from
# the committed seeds and clears the previous artifacts of the targets it runs.
set -euo pipefail

secs=${1:-10}
case $secs in
'' | *[!0-9]*)
	echo "usage: $0 [SECONDS_PER_TARGET]" >&2
	exit 2
	;;
esac

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${TLSFP_FUZZ_BUILD:-$root/build/fuzz}
case $build in /*) ;; *) build=$root/$build ;; esac
targets=${TLSFP_FUZZ_TARGETS:-fuzz_decode fuzz_client_hello fuzz_server_hello fuzz_tls_records fuzz_quic fuzz_pipeline fuzz_capture fuzz_packed_record}

echo "== configure $build (clang, TLSFP_FUZZ=ON)"
if ! CC=clang cmake -S "$root/dpdk" -B "$build" -DTLSFP_FUZZ=ON -DTLSFP_TESTS=OFF \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo >"$build.configure.log" 2>&1; then
	cat "$build.configure.log" >&2
	exit 2
fi
rm -f "$build.configure.log"

echo "== build $targets"
# shellcheck disable=SC2086 # word splitting of the target list is wanted
if ! cmake --build "$build" -j"$(nproc)" --target $targets; then
	echo "fuzz.sh: build failed" >&2
	exit 2
fi

mkdir -p "$build/artifacts" "$build/logs"
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
failed=()
for t in $targets; do
	seeds=$root/dpdk/fuzz/corpus/$t
	work=$build/corpus/$t
	log=$build/logs/$t.log
	rm -rf "$work"
	mkdir -p "$work"
	if [ -d "$seeds" ]; then
		cp -R "$seeds/." "$work/"
	fi
	rm -f "$build/artifacts/$t"-*
	n_before=$(find "$work" -type f | wc -l)

	echo "== $t: ${secs}s on $n_before seeds"
	set +e
	"$build/fuzz/$t" "$work" -max_total_time="$secs" -max_len=16384 -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$build/artifacts/$t-" >"$log" 2>&1
	rc=$?
	set -e

	n_after=$(find "$work" -type f | wc -l)
	grep -E '^(#[0-9]+[[:space:]]+DONE|stat::number_of_executed_units)' "$log" | tail -2 || true
	echo "   new inputs: $((n_after - n_before)) in $work"
	repro=$(find "$build/artifacts" -maxdepth 1 -type f -name "$t-*" | sort)
	if [ "$rc" -ne 0 ] || [ -n "$repro" ]; then
		failed+=("$t")
		echo "!! $t FAILED (exit $rc); log: $log"
		# What went wrong, then the top of the stack below the runtimes.
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|.*contract broken|.*Timeout|.*out-of-memory)' \
			"$log" | head -4 || true
		grep -E '^[[:space:]]+#[0-9]+ ' "$log" |
			grep -vE '__sanitizer|__asan|__ubsan|fuzzer::|libc\.so|pthread_kill|[[:space:]]in (abort|raise|gsignal|malloc|free|calloc|memcpy|__interceptor)' |
			head -6 || true
		for f in $repro; do
			echo "   reproducer: $f"
			echo "   replay:     $build/fuzz/$t $f"
		done
	fi
done

echo
if [ ${#failed[@]} -ne 0 ]; then
	echo "fuzz.sh: FAILED: ${failed[*]}"
	exit 1
fi
echo "fuzz.sh: all targets clean (${secs}s each)."
echo "To keep new coverage: $build/fuzz/<target> -merge=1 dpdk/fuzz/corpus/<target> $build/corpus/<target>"
