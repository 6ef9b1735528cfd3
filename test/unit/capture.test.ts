/** CaptureAnalyzer: files → batches of records, errors with codes. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { TlsfpRecord } from "../../src/addon/native.js";
import { addon } from "../helpers/addon.js";
import { tlsConversation } from "../helpers/frames.js";
import {
  CHROME_EXAMPLE,
  chromeLikeHello,
  keyShare,
  selectedVersion,
  serverHello,
} from "../helpers/hello.js";
import { pcapBytes, writePcap } from "../helpers/pcap.js";

const dir = mkdtempSync(join(tmpdir(), "tlsfp-capture-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SH = serverHello({ cipher: 0x1301, extensions: [selectedVersion(0x0304), keyShare()] });

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

/** n handshakes from n client ports, 10 ms apart. */
function conversations(n: number) {
  return Array.from({ length: n }, (_, i) =>
    tlsConversation({
      client: { ip: "10.77.0.1", port: 40000 + i },
      clientHello: chromeLikeHello(),
      serverHellos: [SH],
      startNs: 1_700_000_000_000_000_000n + BigInt(i) * 10_000_000n,
    }),
  ).flat();
}

describe("CaptureAnalyzer", () => {
  it("returns records in batches of at most maxRecords, then done", () => {
    const f = join(dir, "five.pcap");
    writePcap(f, conversations(5));
    const ca = new addon.CaptureAnalyzer(f);
    const batches: TlsfpRecord[][] = [];
    for (;;) {
      const b = ca.next(2);
      batches.push(b.records);
      if (b.done) break;
    }
    expect(batches.slice(0, -1).every((b) => b.length === 2)).toBe(true);
    const all = batches.flat();
    expect(all.map((r) => r.srcPort)).toEqual([40000, 40001, 40002, 40003, 40004]);
    expect(all.every((r) => r.ja4 === CHROME_EXAMPLE.ja4)).toBe(true);
    expect(ca.next()).toEqual({ records: [], done: true });
    const p = ca.progress();
    expect(p.packets).toBe(5 * 5);
    expect(p.size).toBeGreaterThan(0);
    expect(p.offset).toBe(p.size);
    const c = ca.counters();
    expect(c.packets).toBe(25);
    expect(c.handshakes).toBe(5);
    expect(c.tls_client_hello).toBe(5);
    ca.close();
    expect(codeOf(() => ca.next())).toBe("TLSFP_E_CLOSED");
    ca.close(); // twice is fine
  });

  it("names open failures by errno and format problems by TLSFP_E_*", () => {
    expect(codeOf(() => new addon.CaptureAnalyzer(join(dir, "none.pcap")))).toBe("ENOENT");
    expect(codeOf(() => new addon.CaptureAnalyzer(dir))).toBe("EISDIR");
    const text = join(dir, "text.pcap");
    writeFileSync(text, "hello, this is text and not a capture at all\n");
    expect(codeOf(() => new addon.CaptureAnalyzer(text))).toBe("TLSFP_E_FORMAT");
    const lt = join(dir, "lt.pcap");
    writePcap(lt, [], 147);
    expect(codeOf(() => new addon.CaptureAnalyzer(lt))).toBe("TLSFP_E_LINKTYPE");
  });

  it("a file corrupt mid-way gives its good records first, then TLSFP_E_CORRUPT", () => {
    const f = join(dir, "corrupt.pcap");
    const bad = Buffer.alloc(16);
    bad.writeUInt32LE(0x7fffffff, 8);
    bad.writeUInt32LE(0x7fffffff, 12);
    writeFileSync(f, Buffer.concat([pcapBytes(conversations(2)), bad, Buffer.alloc(32)]));
    const ca = new addon.CaptureAnalyzer(f);
    const first = ca.next();
    expect(first.records).toHaveLength(2);
    expect(first.done).toBe(false);
    let err: (Error & { code?: string; path?: string }) | undefined;
    try {
      ca.next();
    } catch (e) {
      err = e as Error & { code?: string };
    }
    expect(err?.code).toBe("TLSFP_E_CORRUPT");
    expect(err?.path).toBe(f);
    expect(err?.message.startsWith(`${f}: `)).toBe(true);
    ca.close();
  });

  it("validates its arguments", () => {
    expect(() => new addon.CaptureAnalyzer(42 as unknown as string)).toThrow(TypeError);
    expect(() => new addon.CaptureAnalyzer(join(dir, "x"), { maxFlows: -3 })).toThrow(/maxFlows/);
    const f = join(dir, "one.pcap");
    writePcap(f, conversations(1));
    const ca = new addon.CaptureAnalyzer(f);
    expect(() => ca.next(0)).toThrow(RangeError);
    expect(() => ca.next(2.5)).toThrow(RangeError);
    ca.close();
  });
});
