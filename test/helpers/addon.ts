/** The addon for the tests: the same loader the CLI uses (so the ABI check runs). */
import { loadAddon } from "../../src/addon/load.js";
import type { NativeAddon, TlsfpRecord } from "../../src/addon/native.js";

export const addon: NativeAddon = loadAddon();

/**
 * Every record `tlsfp pcap` (the CaptureAnalyzer) gives for a capture file.
 * upToError: a file the analyzer stops on (a corrupt fixture) gives the
 * records before the bad block instead of throwing.
 */
export function captureRecords(path: string, opts: { upToError?: boolean } = {}): TlsfpRecord[] {
  const a = new addon.CaptureAnalyzer(path);
  const out: TlsfpRecord[] = [];
  try {
    for (;;) {
      const b = a.next(100_000);
      out.push(...b.records);
      if (b.done) return out;
    }
  } catch (e) {
    if (opts.upToError) return out;
    throw e;
  } finally {
    a.close();
  }
}
