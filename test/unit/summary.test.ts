import { describe, expect, it } from "vitest";
import { renderProgress, shouldShowProgress } from "../../src/cli/progress.js";
import {
  formatBytes,
  formatSummary,
  isProblemCounter,
  problemCounters,
} from "../../src/cli/summary.js";

describe("summary", () => {
  it("classifies errors and drops", () => {
    for (const n of [
      "parse_error_truncated",
      "reassembly_overflow",
      "reassembly_gap",
      "reassembly_timeout",
      "decode_unknown_linktype",
      "decode_ipv4_bad_header",
      "flow_table_full",
      "flows_evicted",
      "records_dropped",
      "quic_decrypt_failed",
      "tls_server_hello_without_client_hello",
      "packets_truncated_capture",
    ])
      expect(isProblemCounter(n), n).toBe(true);
    for (const n of [
      "packets",
      "bytes",
      "handshakes",
      "decode_tcp",
      "decode_not_ip",
      "reassembly_started",
      "reassembly_out_of_order_segments",
      "flows_timed_out",
      "tls_client_hello",
    ])
      expect(isProblemCounter(n), n).toBe(false);
  });

  it("lists only non-zero problems, in order", () => {
    expect(
      problemCounters({
        packets: 9,
        reassembly_gap: 2,
        parse_error_truncated: 0,
        records_dropped: 1,
      }),
    ).toEqual([
      ["reassembly_gap", 2],
      ["records_dropped", 1],
    ]);
  });

  it("formats the summary", () => {
    const s = formatSummary({
      file: "a.pcap",
      counters: { packets: 2000, bytes: 1_500_000, reassembly_gap: 1 },
      handshakes: 3,
      elapsedNs: 500_000_000n,
    });
    expect(s).toBe(
      "tlsfp: a.pcap: 2000 packets, 1.5 MB, 3 handshakes in 0.50 s (4000 packets/s)\n" +
        "tlsfp: errors and drops: reassembly_gap=1",
    );
    expect(formatBytes(999)).toBe("999 B");
  });

  it("shows progress only on a TTY for files over 50 MB", () => {
    expect(shouldShowProgress(true, 60 * 1024 * 1024)).toBe(true);
    expect(shouldShowProgress(false, 60 * 1024 * 1024)).toBe(false);
    expect(shouldShowProgress(true, 10 * 1024 * 1024)).toBe(false);
    expect(renderProgress({ offset: 50, size: 100, packets: 7 })).toContain(" 50% ");
  });
});
