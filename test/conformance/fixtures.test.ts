/**
 * Conformance: every test/fixtures/** /NAME.expected.json against what
 * CaptureAnalyzer reports for NAME.pcap(ng). Format: test/fixtures/README.md.
 * No fixtures at all is a failure, not a skip.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import type { Counters, TlsfpRecord } from "../../src/addon/native.js";
import { addon } from "../helpers/addon.js";
import { nameToHex } from "../helpers/names.js";

const FIXTURES = join(import.meta.dirname, "..", "fixtures");

type Json = unknown;
type Handshake = Record<string, Json>;

interface Expected {
  description?: string;
  variant_of?: string;
  handshakes: Handshake[];
  counters?: Record<string, number>;
}

function findExpected(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...findExpected(p));
    else if (e.name.endsWith(".expected.json")) out.push(p);
  }
  return out.sort();
}

function captureOf(expectedPath: string): string | undefined {
  const base = expectedPath.slice(0, -".expected.json".length);
  return [`${base}.pcap`, `${base}.pcapng`].find((p) => existsSync(p));
}

function expectedOfCapture(capture: string): string {
  return `${capture.replace(/\.pcap(ng)?$/, "")}.expected.json`;
}

interface Run {
  records: TlsfpRecord[];
  counters: Counters;
  error?: { code: string; message: string };
}

function analyze(path: string): Run {
  const ca = new addon.CaptureAnalyzer(path);
  const records: TlsfpRecord[] = [];
  let error: Run["error"];
  try {
    for (;;) {
      const b = ca.next(4096);
      records.push(...b.records);
      if (b.done) break;
    }
  } catch (e) {
    error = { code: String((e as { code?: string }).code), message: (e as Error).message };
  }
  const counters = ca.counters();
  ca.close();
  // The order of their ClientHello (records are written at ServerHello time).
  records.sort((a, b) => (a.tsNs < b.tsNs ? -1 : a.tsNs > b.tsNs ? 1 : 0));
  return { records, counters, ...(error ? { error } : {}) };
}

/** The value of an expected key, read off a record. */
const VIEW: Record<string, (r: TlsfpRecord) => Json> = {
  src_ip: (r) => r.srcIp,
  src_port: (r) => r.srcPort,
  dest_ip: (r) => r.destIp,
  dest_port: (r) => r.destPort,
  transport: (r) => r.transport,
  proto: (r) => r.proto,
  ip_version: (r) => r.ipVersion,
  vlan: (r) => r.vlan,
  reason: (r) => r.reason,
  sni: (r) => r.sni,
  client_alpns: (r) => r.clientAlpns,
  client_alpns_hex: (r) => r.clientAlpns.map(nameToHex),
  server_alpns: (r) => r.serverAlpns ?? [],
  version: (r) => r.version,
  ja3: (r) => r.ja3,
  ja3_hash: (r) => r.ja3.hash,
  truncated: (r) =>
    [
      r.flags.listsTruncated && "lists",
      r.flags.sniTruncated && "sni",
      r.flags.alpnTruncated && "alpn",
    ].filter((x): x is string => typeof x === "string"),
  ja3s: (r) => r.ja3s,
  ja4: (r) => r.ja4,
  ja4_r: (r) => r.ja4_r,
  ja4_o: (r) => r.ja4_o,
  ja4_ro: (r) => r.ja4_ro,
  hello_retry_request: (r) => r.flags.hrr,
  client_handshake: (r) => ({
    version: r.clientHandshake.version,
    ciphers: r.clientHandshake.ciphers,
    exts: r.clientHandshake.exts,
    sig_algs: r.clientHandshake.sigAlgs,
  }),
};
const IGNORED = new Set(["notes"]);
/** What a variant must share with its plain capture. */
const FINGERPRINT_KEYS = [
  "sni",
  "client_alpns",
  "server_alpns",
  "version",
  "ja3",
  "ja3s",
  "ja4",
  "ja4_r",
  "ja4_o",
  "ja4_ro",
  "client_handshake",
];

const sameFlow = (h: Handshake, r: TlsfpRecord) =>
  h.src_ip === r.srcIp &&
  h.src_port === r.srcPort &&
  h.dest_ip === r.destIp &&
  h.dest_port === r.destPort;

/** Expected handshake i → index of its record (first unused one of the same flow). */
function match(handshakes: Handshake[], records: TlsfpRecord[]): number[] {
  const used = new Set<number>();
  return handshakes.map((h) => {
    const i = records.findIndex((r, j) => !used.has(j) && sameFlow(h, r));
    if (i >= 0) used.add(i);
    return i;
  });
}

function compare(where: string, h: Handshake, r: TlsfpRecord): void {
  for (const [key, want] of Object.entries(h)) {
    if (IGNORED.has(key)) continue;
    const view = VIEW[key];
    if (!view) {
      expect
        .soft(key, `${where}: expected key ${key} is not known to the conformance test`)
        .toBe("a known key");
      continue;
    }
    expect.soft(view(r), `${where}: ${key}`).toEqual(want);
  }
}

const files = findExpected(FIXTURES);

describe("fixture corpus", () => {
  it("has fixtures (test/fixtures/**/NAME.expected.json)", () => {
    expect(files.length, "no fixtures found under test/fixtures").toBeGreaterThan(0);
  });
});

describe.each(files.map((f) => [relative(FIXTURES, f), f]))("%s", (_name, file) => {
  const expected = JSON.parse(readFileSync(file, "utf8")) as Expected;

  it("fingerprints every handshake as expected", () => {
    const capture = captureOf(file);
    expect(capture, "the capture beside it (.pcap or .pcapng)").toBeDefined();
    const run = analyze(capture as string);
    if (run.error) {
      // A capture broken mid-file is reported; anything else is a failure.
      expect(run.error.code, run.error.message).toBe("TLSFP_E_CORRUPT");
    }
    const idx = match(expected.handshakes, run.records);
    const describeRecords = run.records
      .map((r) => `${r.srcIp}:${r.srcPort} → ${r.destIp}:${r.destPort} ${r.ja4}`)
      .join("; ");
    idx.forEach((i, n) => {
      const h = expected.handshakes[n] as Handshake;
      const where = `handshake ${n} (${h.src_ip}:${h.src_port} → ${h.dest_ip}:${h.dest_port})`;
      expect
        .soft(i, `${where}: no record of this flow; got: ${describeRecords}`)
        .toBeGreaterThanOrEqual(0);
      if (i >= 0) compare(where, h, run.records[i] as TlsfpRecord);
    });
    const found = idx.filter((i) => i >= 0);
    expect
      .soft(found, "records in the order of their ClientHello")
      .toEqual([...found].sort((a, b) => a - b));
    expect
      .soft(run.records.length, `every handshake and no other; got: ${describeRecords}`)
      .toBe(expected.handshakes.length);
    for (const [name, min] of Object.entries(expected.counters ?? {})) {
      expect.soft(run.counters[name], `counter ${name} ≥ ${min}`).toBeGreaterThanOrEqual(min);
    }
  });

  if (expected.variant_of !== undefined) {
    it(`fingerprints like its plain capture ${expected.variant_of}`, () => {
      const plainCapture = join(FIXTURES, expected.variant_of as string);
      const plainFile = expectedOfCapture(plainCapture);
      expect(existsSync(plainFile), `${plainFile} exists`).toBe(true);
      const plain = JSON.parse(readFileSync(plainFile, "utf8")) as Expected;
      const run = analyze(captureOf(file) as string);
      const idx = match(expected.handshakes, run.records);
      idx.forEach((i, n) => {
        const mine = expected.handshakes[n] as Handshake;
        const base = plain.handshakes[n];
        if (i < 0 || !base) return; // reported by the test above
        const r = run.records[i] as TlsfpRecord;
        for (const key of FINGERPRINT_KEYS) {
          // The variant's own expected value wins where it states one (e.g. a
          // variant that drops the ServerHello says "ja3s": null).
          if (!(key in base) || key in mine) continue;
          expect
            .soft(VIEW[key]?.(r), `handshake ${n}: ${key} as in ${expected.variant_of}`)
            .toEqual(base[key]);
        }
        for (const key of FINGERPRINT_KEYS) {
          if (key in base && key in mine && key !== "ja3s" && key !== "server_alpns") {
            expect
              .soft(mine[key], `handshake ${n}: expected ${key} equals the plain one's`)
              .toEqual(base[key]);
          }
        }
      });
    });
  }
});
