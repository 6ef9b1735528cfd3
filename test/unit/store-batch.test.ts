/**
 * The native aggregates (native/agg_engine.h) against the reference model
 * (test/helpers/reference-aggregates.ts), figure for figure; and the batch
 * ingest path (RecordBatch, native/record_batch.h) against records given as
 * objects: every aggregate of every kind, the history and its records, the
 * live stream. Over every capture fixture and a synthetic crowd.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { RECENT_COLUMNS, type RecordBatch, type TlsfpRecord } from "../../src/addon/native.js";
import { toEveLine } from "../../src/export/eve.js";
import { KINDS } from "../../src/store/aggregates.js";
import { openStore } from "../../src/store/store.js";
import type { FingerprintStore, StoredHandshake } from "../../src/store/types.js";
import { addon, captureRecords } from "../helpers/addon.js";
import { fakeRecord } from "../helpers/record.js";
import { Aggregates as Reference } from "../helpers/reference-aggregates.js";

const FIXTURES = join(import.meta.dirname, "..", "fixtures");
const captures = ["clients", "quic", "edge", "synthetic"].flatMap((d) =>
  readdirSync(join(FIXTURES, d))
    .filter((f) => /\.(pcap|pcapng)$/.test(f))
    .sort()
    .map((f) => join(FIXTURES, d, f)),
);

const dir = mkdtempSync(join(tmpdir(), "tlsfp-store-batch-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fixture's records (a corrupt one's up to its bad block). */
const records = (path: string): TlsfpRecord[] => captureRecords(path, { upToError: true });

/** Batches of at most `size` (small: new names arrive over many batches). */
function batches(path: string, store: FingerprintStore, size: number): RecordBatch[] {
  const a = new addon.CaptureAnalyzer(path);
  const out: RecordBatch[] = [];
  try {
    for (;;) {
      const b = a.nextBatch(store.aggregates, size);
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

describe("RecordBatch and the recent ring", () => {
  it("hold every record as it was read, with its history columns, on every fixture", () => {
    const core = new addon.Aggregates();
    const name = (kind: "ja4" | "ja3" | "ja3s" | "sni", id: number) =>
      id === 0 ? null : (core.names(kind, id)[0] as string);
    let next = 0;
    let total = 0;
    for (const path of captures) {
      const want = records(path);
      const a = new addon.CaptureAnalyzer(path);
      const got: TlsfpRecord[] = [];
      try {
        for (;;) {
          const { batch: b, done } = a.nextBatch(core, 5, { eve: true });
          expect(b.first).toBe(next);
          next += b.n;
          const ring = core.recent(b.first);
          expect([ring.first, ring.n]).toEqual([b.first, b.n]);
          const recs = core.recentRecords(b.first, b.first + b.n).map(([, r]) => r);
          expect(recs.length).toBe(b.n);
          for (let i = 0; i < b.n; i++) {
            const r = recs[i] as TlsfpRecord;
            const c = ring.cols.subarray(i * RECENT_COLUMNS, (i + 1) * RECENT_COLUMNS);
            expect(name("ja4", c[0] as number)).toBe(r.ja4);
            expect(name("ja3", c[1] as number)).toBe(r.ja3.hash);
            expect(name("ja3s", c[2] as number)).toBe(r.ja3s?.hash ?? null);
            expect(name("sni", c[3] as number)).toBe(r.sni);
            expect(["tcp", "quic", "dtls"][c[4] as number]).toBe(r.transport);
            expect(ring.tsMs[i]).toBe(Math.floor(Number(r.tsNs) / 1e6));
            expect(ring.addresses.slice(2 * i, 2 * i + 2)).toEqual([r.srcIp, r.destIp]);
            const one = ring.packed.subarray(ring.offsets[i], ring.offsets[i + 1]);
            expect(json(addon.unpackRecord(one))).toBe(json(r));
          }
          if (b.n > 0) expect(b.newestMs).toBe(Math.max(...Array.from(ring.tsMs)));
          // the C EVE writer's lines are the TypeScript writer's
          expect(b.eve?.toString("utf8")).toBe(recs.map(toEveLine).join(""));
          got.push(...recs);
          if (done) break;
        }
      } catch (e) {
        if ((e as { code?: string }).code !== "TLSFP_E_CORRUPT") throw e;
      } finally {
        a.close();
      }
      expect(json(got), path).toBe(json(want));
      total += want.length;
    }
    expect(total).toBeGreaterThan(250);
  });

  it("with aggregate: false, only counts and writes EVE lines (tlsfp pcap)", () => {
    const path = join(FIXTURES, "synthetic", "alpn.pcap");
    const core = new addon.Aggregates();
    const a = new addon.CaptureAnalyzer(path);
    const { batch } = a.nextBatch(core, 1000, { eve: true, aggregate: false });
    a.close();
    expect(batch.n).toBe(28);
    expect(batch.eve?.toString("utf8")).toBe(records(path).map(toEveLine).join(""));
    expect(core.size("ja4")).toBe(0);
    expect(core.recent(0).n).toBe(0);
  });

  it("keeps the newest entries when it is full", () => {
    const core = new addon.Aggregates({ recentMax: 0 }); // 65 536 at least
    const path = join(FIXTURES, "synthetic", "alpn.pcap"); // 28 handshakes
    let n = 0;
    while (n < 70_000) {
      const a = new addon.CaptureAnalyzer(path);
      for (;;) {
        const { batch, done } = a.nextBatch(core, 1000);
        n += batch.n;
        if (done) break;
      }
      a.close();
    }
    const ring = core.recent(0);
    expect(ring.first).toBe(n - 65_536);
    expect(ring.n).toBe(65_536);
    expect(core.recentRecords(0, 3)).toEqual([]);
    expect(core.recentRecords(n - 2, n + 5).map(([i]) => i)).toEqual([n - 2, n - 1]);
  });

  it("keeps whole, intact records when their bytes wrap around a small ring", () => {
    const small = new addon.Aggregates({ recentBytes: 64 * 1024 }); // ~120 records
    const big = new addon.Aggregates({ recentBytes: 0 });
    const files = ["alpn.pcap", "limits.pcap", "misc.pcap"].map((f) =>
      join(FIXTURES, "synthetic", f),
    );
    let n = 0;
    for (let round = 0; round < 40; round++) {
      for (const path of files) {
        for (const core of [small, big]) {
          const a = new addon.CaptureAnalyzer(path);
          for (let done = false; !done; ) ({ done } = a.nextBatch(core, 7));
          a.close();
        }
      }
      n = big.recent(0).first + big.recent(0).n;
    }
    const ring = small.recent(0);
    expect(ring.first + ring.n).toBe(n);
    expect(ring.n).toBeGreaterThan(60);
    expect(ring.n).toBeLessThan(200);
    expect(small.recentRecords(0, ring.first)).toEqual([]);
    expect(small.recentRecords(ring.first, n)).toEqual(big.recentRecords(ring.first, n));
  });

  it("refuses what is not an Aggregates, bad options and bytes that are not a packed record", () => {
    const path = captures[0] as string;
    const a = new addon.CaptureAnalyzer(path);
    expect(() => a.nextBatch({} as never)).toThrow(/must be an Aggregates/);
    expect(() => a.nextBatch(new addon.Aggregates(), 0)).toThrow(/maxRecords/);
    expect(() => a.nextBatch(new addon.Aggregates(), 10, { eve: 1 } as never)).toThrow(/eve/);
    expect(() => new addon.Aggregates({ distinctBound: 0 })).toThrow(/distinctBound/);
    expect(() => new addon.Aggregates({ recentBytes: 1.5 })).toThrow(/recentBytes/);
    expect(() => new addon.Aggregates({ preallocPairs: -1 })).toThrow(/preallocPairs/);
    a.close();
    expect(() => addon.unpackRecord(Buffer.from("P\x02not a record"))).toThrow(
      expect.objectContaining({ code: "TLSFP_E_PACKED" }),
    );
  });
});

/** A crowd of handshakes: few fingerprints, many clients, SNIs and servers. */
function crowd(n: number): TlsfpRecord[] {
  let seed = 99;
  const rand = (k: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return Math.floor((seed / 4294967296) ** 2 * k);
  };
  const hex = (i: number, len: number) => i.toString(16).padStart(len, "0");
  return Array.from({ length: n }, (_, i) => {
    const quic = rand(8) === 0;
    const hasSni = rand(10) !== 0;
    return fakeRecord({
      tsNs: 1_795_247_940_000_000_000n + BigInt(rand(1_000_000)) * 1_000_000n,
      srcIp: i % 97 === 0 ? `2001:db8::${hex(rand(5000), 1)}` : `10.1.${rand(40)}.${rand(250)}`,
      destIp: `192.0.2.${rand(200)}`,
      transport: quic ? "quic" : i % 53 === 0 ? "dtls" : "tcp",
      sni: hasSni ? `h${rand(300)}.example` : null,
      clientAlpns: [[], ["h2", "http/1.1"], ["http/1.1"], ["h3"]][rand(4)] as string[],
      ja4: `t13d${hex(rand(20), 4)}h2_000000000000_${hex(rand(6), 12)}`,
      ja3: { hash: hex(rand(25), 32), string: "" },
      ja3s: quic || rand(4) === 0 ? null : { hash: hex(rand(5) + 0xabc, 32), string: "" },
    });
  });
}

describe("native aggregates", () => {
  /** The reference model's view of its aggregates, as the API shows them. */
  function referenceView(ref: Reference) {
    return KINDS.flatMap((kind) =>
      [...ref.byKind[kind].values()].map((a) => ({
        kind,
        value: a.value,
        firstSeen: a.firstSeen,
        lastSeen: a.lastSeen,
        count: a.count,
        distinctClients: a.clients.size,
        distinctServers: a.servers.size,
        distinctSnis: a.distinctSnis,
        alpn: ref.alpnMix(a),
        tcp: a.tcp,
        quic: a.quic,
        dtls: a.dtls,
      })),
    );
  }
  function storeView(s: FingerprintStore) {
    return s
      .queryFingerprints({ limit: 1_000_000, offset: 0 })
      .items.map(({ label: _label, ...a }) => a);
  }
  const byKey = (x: { kind: string; value: string }, y: { kind: string; value: string }) =>
    x.kind < y.kind ? -1 : x.kind > y.kind ? 1 : x.value < y.value ? -1 : x.value > y.value ? 1 : 0;

  for (const bound of [4096, 16]) {
    it(`match the reference model figure for figure (distinct bound ${bound})`, () => {
      const recs = [...captures.flatMap(records), ...crowd(30_000)];
      const ref = new Reference(bound);
      const s = openStore({
        path: ":memory:",
        flushIntervalMs: 0,
        labels: [],
        distinctBound: bound,
      });
      for (let i = 0; i < recs.length; i += 1000) {
        ref.ingest(recs.slice(i, i + 1000));
        s.ingest(recs.slice(i, i + 1000));
      }
      const want = referenceView(ref).sort(byKey);
      const got = storeView(s).sort(byKey);
      expect(got.length).toBe(want.length);
      expect(got.length).toBeGreaterThan(2000);
      // past a bound of 16, most popular aggregates are estimated
      if (bound === 16)
        expect(want.filter((a) => a.distinctClients > 16).length).toBeGreaterThan(20);
      expect(got).toEqual(want);
      s.close();
    });
  }

  // preallocPairs 20 000: the first pairs land in committed room, the rest
  // grow past it as without; 60 000: room left over, which must not show.
  for (const preallocPairs of [0, 20_000, 60_000]) {
    it(`hold tens of thousands of aggregates of a kind (past the 8192 of a chunk, 32 768 of a block; preallocPairs ${preallocPairs})`, () => {
      const recs = crowd(50_000).map((r, i) => ({ ...r, sni: `n${i}.example` }));
      const ref = new Reference(4096);
      const s = openStore({ path: ":memory:", flushIntervalMs: 0, labels: [], preallocPairs });
      ref.ingest(recs);
      s.ingest(recs);
      const got = storeView(s).sort(byKey);
      expect(got.filter((a) => a.kind === "ja4_sni")).toHaveLength(50_000);
      expect(got).toEqual(referenceView(ref).sort(byKey));
      expect(s.stats().aggregates.ja4_sni).toBe(50_000);
      s.close();
    });
  }

  it("count every ALPN, past the four held inline and past the first 65 535 names", () => {
    // 72 000 names, so ids pass 16 bits; three JA4s, so each sees thousands;
    // then a JA4 whose first ALPNs come after them.
    const recs = crowd(90_010).map((r, i) => ({
      ...r,
      ja4: `t13d0000h2_000000000000_00000000000${i < 90_000 ? i % 3 : 9}`,
      clientAlpns: i % 5 === 0 ? ["h2"] : [`a${i}`],
    }));
    const ref = new Reference(4096);
    const s = openStore({ path: ":memory:", flushIntervalMs: 0, labels: [] });
    ref.ingest(recs);
    s.ingest(recs);
    const want = referenceView(ref).sort(byKey);
    const got = storeView(s).sort(byKey);
    expect(got).toEqual(want);
    const ja4 = got.filter((a) => a.kind === "ja4");
    expect(ja4).toHaveLength(4);
    for (const a of ja4.slice(0, 3)) expect(Object.keys(a.alpn).length).toBeGreaterThan(15_000);
    const late: Record<string, number> = {};
    for (const r of recs.slice(90_000)) {
      const name = r.clientAlpns[0] as string;
      late[name] = (late[name] ?? 0) + 1;
    }
    expect(ja4[3]?.alpn).toEqual(late);
    s.close();
  });

  it("are restored from SQLite with the same figures, estimated sets included", () => {
    const path = join(dir, "restore.db");
    const s = openStore({ path, flushIntervalMs: 0, labels: [], distinctBound: 16 });
    const recs = crowd(20_000);
    s.ingest(recs.slice(0, 10_000));
    s.flush();
    s.ingest(recs.slice(10_000, 15_000));
    const before = storeView(s);
    s.close();
    const again = openStore({ path, flushIntervalMs: 0, labels: [], distinctBound: 16 });
    expect(storeView(again)).toEqual(before);
    // and go on counting exactly as the original would have
    const ref = new Reference(16);
    ref.ingest(recs);
    again.ingest(recs.slice(15_000));
    const want = referenceView(ref).sort(byKey);
    const got = storeView(again).sort(byKey);
    // estimated sets restored from registers agree; exact ones too
    expect(
      got.map((a) => [a.kind, a.value, a.count, a.firstSeen, a.lastSeen, a.tcp, a.quic]),
    ).toEqual(want.map((a) => [a.kind, a.value, a.count, a.firstSeen, a.lastSeen, a.tcp, a.quic]));
    expect(got.map((a) => a.distinctClients)).toEqual(want.map((a) => a.distinctClients));
    again.close();
  });
});

describe("timed flushes", () => {
  it("count the history rows they leave out when their time is up", async () => {
    const path = join(dir, "skipped.db");
    const s = openStore({ path, flushIntervalMs: 10, labels: [], historyMax: 100 });
    s.ingest(crowd(300));
    // The clock jumps past every deadline right after a flush starts.
    let calls = 0;
    const spy = vi.spyOn(performance, "now").mockImplementation(() => (calls++ === 0 ? 0 : 1e12));
    await new Promise((r) => setTimeout(r, 60));
    spy.mockRestore();
    expect(s.stats().historySkipped).toBe(100);
    const want = s.queryFingerprints({ limit: 1_000_000, offset: 0, sort: "value" });
    s.close(); // writes the aggregates the timed flush left queued
    const again = openStore({ path, flushIntervalMs: 0, labels: [] });
    expect(again.recentHandshakes({ limit: 10, offset: 0 }).total).toBe(0);
    expect(again.queryFingerprints({ limit: 1_000_000, offset: 0, sort: "value" })).toEqual(want);
    again.close();
  });

  it("write what fits in their budget, lose nothing, and close writes the rest", async () => {
    const path = join(dir, "budget.db");
    const s = openStore({ path, flushIntervalMs: 20, labels: [], historyMax: 500 });
    const recs = crowd(40_000);
    for (let i = 0; i < recs.length; i += 4000) {
      s.ingest(recs.slice(i, i + 4000));
      await new Promise((r) => setTimeout(r, 25)); // timer flushes run in between
    }
    const want = s.queryFingerprints({ limit: 1_000_000, offset: 0, sort: "value" });
    s.close();
    const again = openStore({ path, flushIntervalMs: 0, labels: [] });
    expect(again.queryFingerprints({ limit: 1_000_000, offset: 0, sort: "value" })).toEqual(want);
    const h = again.recentHandshakes({ limit: 1000, offset: 0 });
    expect(h.total).toBe(500);
    expect(h.items[0]?.seq).toBe(40_000);
    expect(h.items.at(-1)?.seq).toBe(40_000 - 499);
    again.close();
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
