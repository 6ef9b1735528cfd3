#!/usr/bin/env bash
# `npm test`: the whole test suite, as CI runs it.
#
#   1. set-up (idempotent): system packages incl. clang, npm packages, builds
#   2. lint: Biome on the TypeScript, clang-format on the C
#   3. the C core with warnings as errors, and its unit tests (ctest)
#   4. the addon, CLI, control-plane and fixture conformance suites (vitest)
#   5. end to end, as root: tlsfp run on replayed captures and on live traffic
#      between two network namespaces it creates (vitest, test/e2e)
#   6. every libFuzzer target for a short bounded time (ASan + UBSan)
#
# Ends with one line "tests: N passed, M failed".
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }
fuzz_seconds=${TLSFP_FUZZ_SECONDS:-8}

step "setup"
bash scripts/setup.sh --test

step "lint: Biome (TypeScript), clang-format (C)"
lint_failed=0
npm run --silent lint || lint_failed=1
git ls-files 'dpdk/*.c' 'dpdk/*.h' 'bench/*.c' | xargs clang-format --dry-run -Werror || lint_failed=1

step "C core: build (-Werror) and unit tests"
cmake -S dpdk -B build/test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTLSFP_WERROR=ON >/dev/null
cmake --build build/test -j"$(nproc)" >build/c-build.log 2>&1 || { cat build/c-build.log; echo "C build failed"; exit 1; }
set +e
ctest --test-dir build/test --output-on-failure >build/ctest.log 2>&1
set -e
cat build/ctest.log
c_passed=$(sed -n 's/.* \([0-9]\+\) tests failed out of \([0-9]\+\).*/\2 \1/p' build/ctest.log | awk '{print $1-$2}')
c_failed=$(sed -n 's/.* \([0-9]\+\) tests failed out of.*/\1/p' build/ctest.log)
c_passed=${c_passed:-0}; c_failed=${c_failed:-1} # no summary line: ctest ran nothing

step "addon, CLI and conformance (vitest)"
set +e
npx vitest run --reporter=default --reporter=json --outputFile=build/vitest.json
vitest_rc=$?
set -e
read -r js_passed js_failed < <(node -e '
  const r = require("./build/vitest.json");
  console.log(r.numPassedTests, r.numFailedTests + (r.numTotalTests === 0 ? 1 : 0));
' 2>/dev/null || echo "0 1")

step "end to end: tlsfp run, replays and live namespaces (root)"
set +e
npx vitest run --config test/e2e/vitest.config.ts --reporter=default --reporter=json \
  --outputFile=build/vitest-e2e.json
e2e_rc=$?
set -e
read -r e2e_passed e2e_failed < <(node -e '
  const r = require("./build/vitest-e2e.json");
  console.log(r.numPassedTests, r.numFailedTests + (r.numTotalTests === 0 ? 1 : 0));
' 2>/dev/null || echo "0 1")

step "fuzzing (${fuzz_seconds}s per target)"
set +e
bash scripts/fuzz.sh "$fuzz_seconds"
fuzz_rc=$?
set -e

failed=$((c_failed + js_failed + e2e_failed + lint_failed + (fuzz_rc != 0) +
  (vitest_rc != 0 && js_failed == 0) + (e2e_rc != 0 && e2e_failed == 0)))
passed=$((c_passed + js_passed + e2e_passed + (lint_failed == 0) + (fuzz_rc == 0)))
echo
echo "tests: ${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
