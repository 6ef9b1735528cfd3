#!/usr/bin/env bash
# `npm start`: set up (idempotent) and run tlsfp on its embedded default — the
# bundled capture of real handshakes in config/demo.pcapng — printing one EVE
# JSON line per handshake and a summary. No NIC, no root needed after setup.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node dist/src/cli/main.js pcap config/demo.pcapng "$@"
