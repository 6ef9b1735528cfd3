#!/usr/bin/env bash
# `npm start`: set up (idempotent), then run the appliance on its embedded
# default: the DPDK data plane replays config/demo.pcapng (a bundled capture
# of real clients' handshakes) through net_pcap, so no NIC is needed. EVE
# lines go to stdout, the query API listens on 127.0.0.1:8080; Ctrl-C stops
# it cleanly. Extra arguments go to `tlsfp run` (see `tlsfp run --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node dist/src/cli/main.js run "$@"
