/**
 * The batch ingest path (RecordBatch + Dictionary, native/record_batch.h)
 * must give the store exactly what ingesting the same records as objects
 * gives: every aggregate of every kind, the history and its records, the
 * live stream. Checked over every capture fixture, in one store.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { RecordBatch, TlsfpRecord } from "../../src/addon/native.js";
import { hash32 } from "../../src/store/aggregates.js";
import { openStore } from "../../src/store/store.js";
import type { FingerprintStore, StoredHandshake } from "../../src/store/types.js";
import { addon } from "../helpers/addon.js";

const FIXTURES = join(import.meta.dirname, "..", "fixtures");
const captures = ["clients", "quic", "edge", "synthetic"].flatMap((d) =>
  readdirSync(join(FIXTURES, d))
    .filter((f) => /\.(pcap|pcapng)$/.test(f))
    .sort()
    .map((f) => join(FIXTURES, d, f)),
);

const dir = mkdtempSync(join(tmpdir(), "tlsfp-store-batch-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function records(path: string): TlsfpRecord[] {
  const a = new addon.CaptureAnalyzer(path);
  const out: TlsfpRecord[] = [];
  try {
    for (;;) {
      const b = a.next(100_000);
      out.push(...b.records);
      if (b.done) return out;
    }
  } catch {
    return out; // a corrupt fixture: what came before the bad block
  } finally {
    a.close();
  }
}

/** Batches of at most `size` (small: new names arrive over many batches). */
function batches(path: string, store: FingerprintStore, size: number): RecordBatch[] {
  const a = new addon.CaptureAnalyzer(path);
  const out: RecordBatch[] = [];
  try {
    for (;;) {
      const b = a.nextBatch(store.dictionary, size);
      if (b.batch.n > 0) out.push(b.batch);
      if (b.done) return out;
    }
  } catch {
    return out;
  } finally {
    a.close();
  }
}

const json = (x: unknown) =>
  JSON.stringify(x, (_k, v) => (typeof v === "bigint" ? v.toString() : v));

describe("RecordBatch", () => {
  it("columns, times and packed records agree with the records, on every fixture", () => {
    const store = openStore({ path: ":memory:", flushIntervalMs: 0, labels: [] });
    const names = { ja4: [""], ja3: [""], ja3s: [""], sni: [""], alpn: [""] };
    let total = 0;
    for (const path of captures) {
      const want = records(path);
      const got: TlsfpRecord[] = [];
      for (const b of batches(path, store, 5)) {
        for (const k of Object.keys(names) as (keyof typeof names)[]) names[k].push(...b.names[k]);
        const unpacked = addon.unpackRecords(b.packed, b.offsets);
        const addrs = addon.recordAddresses(b.packed, b.offsets);
        for (let i = 0; i < b.n; i++) {
          const r = unpacked[i] as TlsfpRecord;
          const c = b.cols.subarray(i * 9, i * 9 + 9);
          expect(names.ja4[c[0] as number]).toBe(r.ja4);
          expect(names.ja3[c[1] as number]).toBe(r.ja3.hash);
          expect(c[2] === 0 ? null : names.ja3s[c[2] as number]).toBe(r.ja3s?.hash ?? null);
          expect(c[3] === 0 ? null : names.sni[c[3] as number]).toBe(r.sni);
          expect(names.alpn[c[5] as number]).toBe(r.clientAlpns[0] ?? "");
          expect(c[6]).toBe(hash32(r.srcIp));
          expect(c[7]).toBe(hash32(r.destIp));
          expect(["tcp", "quic", "dtls"][c[8] as number]).toBe(r.transport);
          expect(b.tsMs[i]).toBe(Math.floor(Number(r.tsNs) / 1e6));
          expect(addrs.slice(2 * i, 2 * i + 2)).toEqual([r.srcIp, r.destIp]);
        }
        got.push(...unpacked);
      }
      expect(json(got), path).toBe(json(want));
      total += want.length;
    }
    expect(total).toBeGreaterThan(250);
    const sizes = store.dictionary.sizes();
    expect(sizes.ja4).toBe(names.ja4.length - 1);
    expect(sizes.sni).toBe(names.sni.length - 1);
    store.close();
  });

  it("refuses what is not a Dictionary, a bad range and bytes that are not a packed record", () => {
    const path = captures[0] as string;
    const a = new addon.CaptureAnalyzer(path);
    expect(() => a.nextBatch({} as never)).toThrow(/must be a Dictionary/);
    expect(() => a.nextBatch(new addon.Dictionary(), 0)).toThrow(/maxRecords/);
    const { batch } = a.nextBatch(new addon.Dictionary(), 10);
    a.close();
    expect(batch.n).toBeGreaterThan(0);
    expect(() => addon.unpackRecords(batch.packed, batch.offsets, 0, batch.n + 1)).toThrow(
      /not within/,
    );
    expect(() => addon.unpackRecord(batch.packed.subarray(0, 10))).toThrow(
      expect.objectContaining({ code: "TLSFP_E_PACKED" }),
    );
    const one = batch.packed.subarray(batch.offsets[0], batch.offsets[1]);
    expect(json(addon.unpackRecord(one))).toBe(
      json(addon.unpackRecords(batch.packed, batch.offsets, 0, 1)[0]),
    );
  });
});

describe("store.ingestBatch", () => {
  /** Every aggregate of every kind, in a stable order. */
  function everything(s: FingerprintStore) {
    return s.queryFingerprints({ limit: 1_000_000, offset: 0, sort: "value" });
  }

  it("gives the same aggregates, history, details and live stream as ingest()", () => {
    const byObject = openStore({ path: join(dir, "o.db"), flushIntervalMs: 0, labels: [] });
    const byBatch = openStore({ path: join(dir, "b.db"), flushIntervalMs: 0, labels: [] });
    const streamO: StoredHandshake[] = [];
    const streamB: StoredHandshake[] = [];
    byObject.subscribe({ transport: "quic" }, (h) => streamO.push(h));
    byBatch.subscribe({ transport: "quic" }, (h) => streamB.push(h));
    let size = 1;
    for (const path of captures) {
      byObject.ingest(records(path));
      // batch sizes vary, so names arrive in batches of every size
      for (const b of batches(path, byBatch, size)) byBatch.ingestBatch(b);
      size = (size % 37) + 3;
    }
    const o = everything(byObject);
    const b = everything(byBatch);
    expect(o.total).toBeGreaterThan(500);
    expect(b).toEqual(o);
    expect(byBatch.stats()).toEqual({ ...byObject.stats(), lastFlush: byBatch.stats().lastFlush });
    expect(streamB.length).toBeGreaterThanOrEqual(5);
    expect(json(streamB)).toBe(json(streamO));

    const q = { limit: 1000, offset: 0 };
    expect(json(byBatch.recentHandshakes(q))).toBe(json(byObject.recentHandshakes(q)));
    for (const filter of [
      { transport: "dtls" as const },
      { sni: "server.test" },
      { clientIp: "10.0.0.1" },
    ])
      expect(json(byBatch.recentHandshakes({ ...q, ...filter }))).toBe(
        json(byObject.recentHandshakes({ ...q, ...filter })),
      );
    for (const a of o.items.filter((x) => x.kind !== "ja4_sni").slice(0, 40))
      expect(byBatch.getFingerprint(a.value)).toEqual(byObject.getFingerprint(a.value));

    // The packed history survives a restart.
    const before = json(byBatch.recentHandshakes(q));
    byBatch.close();
    byObject.close();
    const again = openStore({ path: join(dir, "b.db"), flushIntervalMs: 0, labels: [] });
    expect(json(again.recentHandshakes(q))).toBe(before);
    expect(everything(again)).toEqual(b);
    again.close();
  });

  it("keeps only the newest historyMax rows of batches between flushes", () => {
    const s = openStore({ path: ":memory:", flushIntervalMs: 0, labels: [], historyMax: 7 });
    const all: TlsfpRecord[] = [];
    for (const path of captures.slice(0, 12)) {
      all.push(...records(path));
      for (const b of batches(path, s, 3)) s.ingestBatch(b);
    }
    const h = s.recentHandshakes({ limit: 100, offset: 0 });
    expect(h.total).toBe(7);
    expect(h.items.map((x) => x.seq)).toEqual([...Array(7)].map((_, i) => all.length - i));
    expect(json(h.items.map((x) => x.record))).toBe(json(all.slice(-7).reverse()));
    s.close();
  });
});
