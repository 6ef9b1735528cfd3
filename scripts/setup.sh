#!/usr/bin/env bash
# Install everything tlsfp needs on Debian 12, idempotently, and build it.
#
#   scripts/setup.sh          what `npm start` needs: build tools, OpenSSL, libpcap, DPDK,
#                             npm packages, the build
#   scripts/setup.sh --test   plus what the test suite needs (clang + sanitizer runtimes for
#                             fuzzing; openssl, curl, iproute2, tcpdump for the live tests)
#
# Hugepages are not reserved here: `tlsfp run` reserves what it needs when
# root (and gives them back on exit), and runs with --no-huge otherwise.
#
# Fast when already done: apt runs only for packages that are missing, npm
# only when the lockfile changed, builds only when a source is newer than
# their output.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=run
[ "${1:-}" = "--test" ] && profile=test

say() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

# --- system packages ------------------------------------------------------
pkgs_run=(build-essential cmake pkg-config libssl-dev libpcap-dev libdpdk-dev python3)
# Tests: clang + sanitizer runtimes (fuzzing); real peers and namespaces for
# the live end-to-end tests.
pkgs_test=(clang clang-format libclang-rt-14-dev llvm openssl curl iproute2 tcpdump ca-certificates)
pkgs=("${pkgs_run[@]}")
[ "$profile" = test ] && pkgs+=("${pkgs_test[@]}")

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || die "missing packages (${missing[*]}) and no apt-get: install them by hand"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "missing packages (${missing[*]}): run as root or install sudo"
    sudo=sudo
  fi
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q >/dev/null
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- Node.js --------------------------------------------------------------
command -v node >/dev/null || die "Node.js 20 or newer is required (https://nodejs.org or your distribution's nodesource packages)"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || die "Node.js $(node --version) is too old: tlsfp needs 20 or newer"

# --- npm packages (only when the lockfile changed) ------------------------
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages"
  # npm install, not npm ci: the registry here serves only some platforms'
  # optional packages (Biome's per-OS binaries), which npm ci's strict
  # lockfile check refuses; npm install resolves the same locked versions.
  npm install --no-audit --no-fund --loglevel=error >&2
fi

# --- build (only when a source is newer than the output) ------------------
addon=native/build/Release/tlsfp.node
if [ ! -f "$addon" ] || [ -n "$(find dpdk native/src native/CMakeLists.txt -newer "$addon" -type f \( -name '*.c' -o -name '*.h' -o -name '*.cc' -o -name '*.hh' -o -name 'CMakeLists.txt' \) -print -quit)" ]; then
  say "building the native addon"
  npm run --silent build:native >&2
fi
cli=dist/src/cli/main.js
if [ ! -f "$cli" ] || [ -n "$(find src tsconfig.json -newer "$cli" -type f -print -quit)" ]; then
  say "compiling TypeScript"
  npm run --silent build:ts >&2
fi
say "ready"
