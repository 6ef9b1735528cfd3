/** Usage errors (exit 2) and the help texts. */

/** A command line that cannot be run: print the message and the usage, exit 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

export const MAIN_USAGE = `Usage: tlsfp <command> [options]

Commands:
  run           run the appliance: the DPDK data plane on live ports (or the bundled
                capture), EVE output, the query API
  pcap FILE     fingerprint every TLS/QUIC handshake of a pcap or pcapng file
  doctor        check this machine and config: topology, lcore plan, hugepages, NICs
  labels        check or import known-fingerprint labels (ja4db JSON, CSV)

Options:
  -h, --help     show this help
  -V, --version  show the version

Run 'tlsfp <command> --help' for a command's options.`;

export const PCAP_USAGE = `Usage: tlsfp pcap FILE [options]

Writes one EVE JSON line per handshake (JA3, JA3S, JA4) to stdout, and a
summary of packets, handshakes, errors and drops to stderr.

Options:
  --eve PATH               write the EVE lines to PATH instead of stdout
  --hello-max-bytes N      per-direction hello reassembly bound (default 16384)
  --max-flows N            flows tracked at once (default 16384)
  -q, --quiet              no summary, no progress bar
  -h, --help               show this help

Exit status: 0 done, 1 the file cannot be read as a capture, 2 usage error.`;
