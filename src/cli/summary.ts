/** The end-of-run summary of `tlsfp pcap`: pure formatting of counters. */
import type { Counters } from "../addon/native.js";

/**
 * Counters that mean something was lost or refused (errors and drops), as
 * opposed to what the traffic simply was (decode_tcp, reassembly_started...).
 */
const PROBLEM =
  /(error|truncated|bad_|unknown|limit|unsupported|overflow|gap|no_memory|full|evicted|dropped|failed|fragment|without|reassembly_timeout)/;

export function isProblemCounter(name: string): boolean {
  return PROBLEM.test(name);
}

/** Non-zero problem counters, in counters.h order. */
export function problemCounters(counters: Counters): [string, number][] {
  return Object.entries(counters).filter(([name, v]) => v > 0 && isProblemCounter(name));
}

export function formatBytes(n: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}

export interface RunStats {
  file: string;
  counters: Counters;
  /** Records written to the output. */
  handshakes: number;
  elapsedNs: bigint;
}

/** The summary lines for stderr (no trailing newline on the last). */
export function formatSummary(s: RunStats): string {
  const packets = s.counters.packets ?? 0;
  const secs = Number(s.elapsedNs) / 1e9;
  const rate = secs > 0 ? Math.round(packets / secs) : 0;
  const lines = [
    `tlsfp: ${s.file}: ${packets} packets, ${formatBytes(s.counters.bytes ?? 0)}, ` +
      `${s.handshakes} handshakes in ${secs.toFixed(2)} s (${rate} packets/s)`,
  ];
  const problems = problemCounters(s.counters);
  lines.push(
    problems.length === 0
      ? "tlsfp: no errors or drops"
      : `tlsfp: errors and drops: ${problems.map(([k, v]) => `${k}=${v}`).join(" ")}`,
  );
  return lines.join("\n");
}
