/** The fingerprint store: live aggregates, queries, persistence, retention. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { TlsfpRecord } from "../../src/addon/native.js";
import { hash32 } from "../../src/store/aggregates.js";
import { openStore, type StoreOptions } from "../../src/store/store.js";
import type { FingerprintStore, StoredHandshake } from "../../src/store/types.js";
import { fakeRecord } from "../helpers/record.js";
import { Distinct } from "../helpers/reference-aggregates.js";

const dir = mkdtempSync(join(tmpdir(), "tlsfp-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function open(over: Partial<StoreOptions> = {}): FingerprintStore {
  return openStore({ path: join(dir, `s${n++}.db`), flushIntervalMs: 0, labels: [], ...over });
}

const JA4_A = "t13d1516h2_8daaf6152771_e5627efa2ab1";
const JA4_B = "q13d0312h3_55b375c5d22e_178839b6cec1";
const JA3_A = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const JA3_B = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const JA3S = "cccccccccccccccccccccccccccccccc";
const T0 = 1_795_247_940_000n * 1_000_000n; // 2026-11-21T07:59:00Z in ns
const ms = (i: number) => Number(T0 / 1_000_000n) + i * 1000;

/** Record i: one second apart. */
function rec(i: number, over: Partial<TlsfpRecord> = {}): TlsfpRecord {
  return fakeRecord({
    tsNs: T0 + BigInt(Math.round(i * 1000)) * 1_000_000n,
    ja4: JA4_A,
    ja3: { hash: JA3_A, string: "" },
    ja3s: { hash: JA3S, string: "" },
    ...over,
  });
}

/** 6 handshakes: 4 JA4_A over TCP (3 clients, 2 SNIs), 2 JA4_B over QUIC without ServerHello. */
function batch(): TlsfpRecord[] {
  return [
    rec(0, { srcIp: "10.0.0.1", sni: "a.test", clientAlpns: ["h2", "http/1.1"] }),
    rec(1, { srcIp: "10.0.0.2", sni: "a.test", clientAlpns: ["h2"] }),
    rec(2, { srcIp: "10.0.0.3", sni: "b.test", clientAlpns: ["http/1.1"] }),
    rec(3, { srcIp: "10.0.0.1", sni: null, clientAlpns: [], destIp: "10.0.0.99" }),
    rec(4, {
      srcIp: "10.0.0.4",
      sni: "b.test",
      ja4: JA4_B,
      ja3: { hash: JA3_B, string: "" },
      ja3s: null,
      transport: "quic",
      clientAlpns: ["h3"],
    }),
    rec(5, {
      srcIp: "10.0.0.4",
      sni: "c.test",
      ja4: JA4_B,
      ja3: { hash: JA3_B, string: "" },
      ja3s: null,
      transport: "quic",
      clientAlpns: ["h3"],
    }),
  ];
}

const all = { limit: 100, offset: 0 };

describe("aggregates", () => {
  it("are exact on a known batch", () => {
    const s = open();
    s.ingest(batch());
    const a = s.getFingerprint(JA4_A);
    expect(a).toMatchObject({
      kind: "ja4",
      value: JA4_A,
      firstSeen: ms(0),
      lastSeen: ms(3),
      count: 4,
      distinctClients: 3,
      distinctServers: 2,
      distinctSnis: 2,
      alpn: { h2: 2, "http/1.1": 1, "": 1 },
      tcp: 4,
      quic: 0,
    });
    expect(a?.topSnis).toEqual([
      { value: "a.test", count: 2 },
      { value: "b.test", count: 1 },
    ]);
    expect(a?.topClients[0]).toEqual({ value: "10.0.0.1", count: 2 });
    const b = s.getFingerprint(JA4_B);
    expect(b).toMatchObject({ count: 2, tcp: 0, quic: 2, alpn: { h3: 2 }, distinctClients: 1 });
    expect(s.getFingerprint(JA3S)).toMatchObject({ kind: "ja3s", count: 4 });
    expect(s.getFingerprint("b.test")).toMatchObject({
      kind: "sni",
      count: 2,
      tcp: 1,
      quic: 1,
      distinctSnis: 1,
      distinctClients: 2,
    });
    expect(s.getFingerprint(`${JA4_A}|`)).toMatchObject({ kind: "ja4_sni", count: 1 });
    expect(s.stats()).toMatchObject({
      ingested: 6,
      aggregates: { ja4: 2, ja3: 2, ja3s: 1, sni: 3, ja4_sni: 5 },
    });
    // DTLS is its own share, neither TCP nor QUIC.
    const JA4_D = "dd2d2808h2_d943125447b4_e7e480e5a997";
    s.ingest([rec(40, { transport: "dtls", proto: "UDP", ja4: JA4_D })]);
    expect(s.getFingerprint(JA4_D)).toMatchObject({ count: 1, tcp: 0, quic: 0, dtls: 1 });
    s.close();
  });

  it("distinct counts are exact on a dense mix of many fingerprints (brute force)", () => {
    // Many aggregates with small, nearby ids: a combiner that let their ids
    // cancel out once made different tuples look already counted.
    let x = 12345;
    const rnd = (n: number) => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return (x >>> 8) % n;
    };
    const hex = (i: number, len: number) => i.toString(16).padStart(len, "0");
    const recs: TlsfpRecord[] = [];
    for (let i = 0; i < 3000; i++) {
      const k = rnd(30);
      recs.push(
        rec(i, {
          ja4: `t13d1516h2_${hex(k, 12)}_${hex(rnd(3), 12)}`,
          ja3: { hash: hex(rnd(12), 32), string: "" },
          ja3s: rnd(4) === 0 ? null : { hash: hex(100 + rnd(6), 32), string: "" },
          srcIp: `10.1.${rnd(3)}.${rnd(40)}`,
          destIp: `192.0.2.${rnd(25)}`,
          sni: rnd(5) === 0 ? null : `s${rnd(20)}.test`,
        }),
      );
    }
    const s = open();
    s.ingest(recs);
    const want = new Map<string, { c: Set<string>; s: Set<string>; n: Set<string> }>();
    const add = (key: string, r: TlsfpRecord) => {
      let e = want.get(key);
      if (!e) {
        e = { c: new Set(), s: new Set(), n: new Set() };
        want.set(key, e);
      }
      e.c.add(r.srcIp);
      e.s.add(r.destIp);
      if (r.sni !== null) e.n.add(r.sni);
    };
    for (const r of recs) {
      add(r.ja4, r);
      add(r.ja3.hash, r);
      if (r.ja3s) add(r.ja3s.hash, r);
    }
    for (const [value, e] of want) {
      const f = s.getFingerprint(value);
      expect([f?.distinctClients, f?.distinctServers, f?.distinctSnis], value).toEqual([
        e.c.size,
        e.s.size,
        e.n.size,
      ]);
    }
  });

  it("distinct counts go from exact to estimated past the bound", () => {
    const d = new Distinct();
    for (let i = 0; i < 100; i++) d.add(hash32(`10.0.${i >> 8}.${i & 255}`), 64);
    expect(d.estimated).toBe(true);
    expect(d.n).toBe(64);
    expect(Math.abs(d.size - 100)).toBeLessThan(10);
    const big = new Distinct();
    for (let i = 0; i < 50_000; i++) big.add(hash32(`c${i}`), 4096);
    big.add(hash32("c1"), 4096); // a repeat changes nothing
    expect(Math.abs(big.size - 50_000) / 50_000).toBeLessThan(0.1);
    const exact = new Distinct();
    for (let i = 0; i < 1000; i++) exact.add(hash32(`k${i % 300}`), 4096);
    expect(exact.size).toBe(300);
    expect(exact.estimated).toBe(false);
    // blobs round-trip both forms
    const e2 = Distinct.fromBlob(exact.toBlob(), false, 300);
    expect(e2.size).toBe(300);
    expect(e2.has(hash32("k299"))).toBe(true);
    expect(e2.has(hash32("k300"))).toBe(false);
    expect(Distinct.fromBlob(big.toBlob(), true, 4096).size).toBe(big.size);
  });
});

describe("queryFingerprints", () => {
  const s = open();
  s.ingest(batch());
  afterAll(() => s.close());

  it("filters by kind and sorts by count desc by default", () => {
    const p = s.queryFingerprints({ kind: "ja4", ...all });
    expect(p.total).toBe(2);
    expect(p.items.map((a) => a.value)).toEqual([JA4_A, JA4_B]);
  });
  it("paginates", () => {
    const p = s.queryFingerprints({ kind: "ja4_sni", sort: "value", limit: 2, offset: 2 });
    expect(p).toMatchObject({ total: 5, limit: 2, offset: 2 });
    expect(p.items.map((a) => a.value)).toEqual([`${JA4_A}|`, `${JA4_A}|a.test`]);
  });
  it("sorts by lastSeen ascending", () => {
    const p = s.queryFingerprints({ kind: "sni", sort: "lastSeen", order: "asc", ...all });
    expect(p.items.map((a) => a.value)).toEqual(["a.test", "b.test", "c.test"]);
  });
  it("filters by value, prefix and JA4 section", () => {
    expect(s.queryFingerprints({ value: JA3_B, ...all }).items.map((a) => a.kind)).toEqual(["ja3"]);
    expect(s.queryFingerprints({ kind: "ja4", prefix: "q13", ...all }).total).toBe(1);
    const a = s.queryFingerprints({
      kind: "ja4",
      ja4Section: { section: "a", value: "t13d1516h2" },
      ...all,
    });
    expect(a.items.map((x) => x.value)).toEqual([JA4_A]);
    const c = s.queryFingerprints({ ja4Section: { section: "c", value: "178839b6cec1" }, ...all });
    expect(c.items.map((x) => `${x.kind}:${x.value}`).sort()).toEqual([
      `ja4:${JA4_B}`,
      `ja4_sni:${JA4_B}|b.test`,
      `ja4_sni:${JA4_B}|c.test`,
    ]);
    expect(
      s.queryFingerprints({ kind: "ja3", ja4Section: { section: "b", value: "x" }, ...all }).total,
    ).toBe(0);
  });
  it("filters by SNI and time range", () => {
    const bySni = s.queryFingerprints({ kind: "ja4", sni: "c.test", ...all });
    expect(bySni.items.map((a) => a.value)).toEqual([JA4_B]);
    // last seen at or after ms(4): only JA4_B (JA4_A last seen at ms(3))
    expect(
      s.queryFingerprints({ kind: "ja4", since: ms(4), ...all }).items.map((a) => a.value),
    ).toEqual([JA4_B]);
    // first seen at or before ms(3): only JA4_A
    expect(
      s.queryFingerprints({ kind: "ja4", until: ms(3), ...all }).items.map((a) => a.value),
    ).toEqual([JA4_A]);
  });
  it("getFingerprint detects the kind and returns null for unknown values", () => {
    expect(s.getFingerprint(JA3_A.toUpperCase())?.kind).toBe("ja3");
    expect(s.getFingerprint(JA3S)?.kind).toBe("ja3s");
    expect(s.getFingerprint("a.test")?.kind).toBe("sni");
    expect(s.getFingerprint("dddddddddddddddddddddddddddddddd")).toBeNull();
    expect(s.getFingerprint("t13d0000h2_000000000000_000000000000")).toBeNull();
    expect(s.getFingerprint("nowhere.test")).toBeNull();
  });
});

describe("history and subscriptions", () => {
  it("recentHandshakes filters newest first, with tsNs as a bigint", () => {
    const s = open();
    s.ingest(batch());
    const p = s.recentHandshakes({ transport: "quic", ...all });
    expect(p.total).toBe(2);
    expect(p.items.map((h) => h.seq)).toEqual([6, 5]);
    expect(p.items[0]?.record.tsNs).toBe(T0 + 5_000_000_000n);
    expect(p.items[0]?.record.sni).toBe("c.test");
    expect(s.recentHandshakes({ clientIp: "10.0.0.1", ...all }).total).toBe(2);
    expect(s.recentHandshakes({ ja3s: JA3S, since: ms(1), until: ms(2), ...all }).total).toBe(2);
    expect(s.recentHandshakes({ limit: 2, offset: 1 }).items.map((h) => h.seq)).toEqual([5, 4]);
    s.close();
  });

  it("subscribe delivers matching handshakes synchronously, until unsubscribed", () => {
    const s = open();
    const got: StoredHandshake[] = [];
    const off = s.subscribe({ sni: "b.test" }, (h) => got.push(h));
    s.ingest(batch());
    expect(got.map((h) => h.seq)).toEqual([3, 5]);
    off();
    s.ingest(batch());
    expect(got).toHaveLength(2);
    s.close();
  });
});

describe("persistence and retention", () => {
  it("survives close and reopen", () => {
    const path = join(dir, "persist.db");
    // distinctBound 2: JA4_A's 3 clients are estimated, and must come back so
    const s = openStore({ path, flushIntervalMs: 0, labels: [], distinctBound: 2 });
    s.ingest(batch());
    s.putLabels([
      { kind: "ja4", value: JA4_B, label: { application: "Chromium", source: "user" } },
    ]);
    const before = s.queryFingerprints({ ...all, limit: 1000 });
    const hist = s.recentHandshakes(all);
    s.close();
    const r = openStore({ path, flushIntervalMs: 0, labels: [], distinctBound: 2 });
    expect(r.queryFingerprints({ ...all, limit: 1000 })).toEqual(before);
    expect(r.recentHandshakes(all)).toEqual(hist);
    expect(r.getFingerprint(JA4_A)?.topSnis).toEqual([
      { value: "a.test", count: 2 },
      { value: "b.test", count: 1 },
    ]);
    expect(r.getFingerprint(JA4_B)?.label).toEqual({ application: "Chromium", source: "user" });
    expect(r.stats()).toMatchObject({ ingested: 6, historyRows: 6 });
    expect(r.stats().lastFlush).toBeGreaterThan(0);
    // counting continues where it stopped
    r.ingest([rec(10)]);
    expect(r.getFingerprint(JA4_A)?.count).toBe(5);
    expect(r.recentHandshakes({ limit: 1, offset: 0 }).items[0]?.seq).toBe(7);
    r.close();
  });

  it("loses what was not flushed when not closed (write-behind)", () => {
    const path = join(dir, "killed.db");
    const s = openStore({ path, flushIntervalMs: 0, labels: [] });
    s.ingest(batch().slice(0, 2));
    s.flush();
    s.ingest(batch().slice(2));
    // no close: as if killed; a second connection sees the last flush only
    const r = openStore({ path, flushIntervalMs: 0, labels: [] });
    expect(r.stats().ingested).toBe(2);
    expect(r.getFingerprint(JA4_A)?.count).toBe(2);
    r.close();
    s.close();
  });

  it("keeps at most historyMax rows", () => {
    const s = open({ historyMax: 5 });
    for (let i = 0; i < 4; i++) s.ingest(Array.from({ length: 7 }, (_, j) => rec(i * 7 + j)));
    s.flush();
    const p = s.recentHandshakes(all);
    expect(p.total).toBe(5);
    expect(p.items.map((h) => h.seq)).toEqual([28, 27, 26, 25, 24]);
    expect(s.stats().historyRows).toBe(5);
    expect(s.getFingerprint(JA4_A)?.count).toBe(28); // aggregates are not bounded by it
    s.close();
  });

  it("deletes history older than retentionDays before the newest handshake", () => {
    const s = open({ retentionDays: 1 });
    s.ingest([rec(0), rec(1)]);
    s.flush();
    expect(s.recentHandshakes(all).total).toBe(2);
    s.ingest([rec(86_400 + 0.5)]); // 1 day and 0.5 s later: rec(0) is out, rec(1) still in
    s.flush();
    expect(s.recentHandshakes(all).items.map((h) => h.seq)).toEqual([3, 2]);
    s.close();
  });

  it("flushes on its own every flushIntervalMs", async () => {
    const path = join(dir, "timer.db");
    const s = openStore({ path, flushIntervalMs: 20, labels: [] });
    s.ingest(batch());
    await new Promise((r) => setTimeout(r, 100));
    const r = openStore({ path, flushIntervalMs: 0, labels: [] });
    expect(r.stats().ingested).toBe(6);
    r.close();
    s.close();
  });
});

describe("labels", () => {
  it("the shipped labels name the fixtures' clients", () => {
    const s = openStore({ path: join(dir, "shipped.db"), flushIntervalMs: 0 });
    s.ingest([rec(0, { ja4: "t13d0412h2_16476d049b0b_85302d7e289e" })]);
    const f = s.getFingerprint("t13d0412h2_16476d049b0b_85302d7e289e");
    expect(f?.label).toMatchObject({ application: "curl 7.88.1 (OpenSSL 3.0)", source: "tlsfp" });
    s.close();
  });
  it("user labels replace shipped ones and label JA4×SNI through their JA4", () => {
    const s = open({
      labels: [{ kind: "ja4", value: JA4_A, label: { application: "X", source: "tlsfp" } }],
    });
    s.ingest([rec(0)]);
    expect(s.getFingerprint(JA4_A)?.label?.application).toBe("X");
    expect(
      s.putLabels([{ kind: "ja4", value: JA4_A, label: { application: "Y", source: "user" } }]),
    ).toBe(1);
    expect(s.getFingerprint(JA4_A)?.label?.application).toBe("Y");
    expect(s.queryFingerprints({ kind: "ja4_sni", ...all }).items[0]?.label?.application).toBe("Y");
    s.close();
  });
});

describe("subscribers", () => {
  it("a throwing subscriber is dropped, ingest and the others go on", () => {
    const s = open();
    const got: number[] = [];
    s.subscribe({}, () => {
      throw new Error("boom");
    });
    s.subscribe({}, (h) => got.push(h.seq));
    s.ingest(batch());
    expect(got).toEqual([1, 2, 3, 4, 5, 6]);
    expect(s.stats().ingested).toBe(6);
    s.close();
  });
});
