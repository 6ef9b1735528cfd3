/**
 * The store's write-behind of aggregates: the addon's batched rows (rows())
 * against row() one by one; the rows SQLite gets against those the former
 * write path (a row() object per aggregate, bound by name) stored; a
 * database written that way restoring; a failed write queuing its rows
 * again.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it, vi } from "vitest";
import type { NativeAggregates, TlsfpRecord } from "../../src/addon/native.js";
import { Aggregates, KINDS } from "../../src/store/aggregates.js";
import { openStore } from "../../src/store/store.js";
import type { FingerprintStore } from "../../src/store/types.js";
import { addon } from "../helpers/addon.js";
import { fakeRecord } from "../helpers/record.js";

const dir = mkdtempSync(join(tmpdir(), "tlsfp-store-write-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Handshakes of a few fingerprints and many clients (past a distinct bound
 * of 16, so some sets are estimated), with ALPNs a JSON object treats
 * specially: integer-like names (ordered first), "__proto__", quotes and
 * backslashes, non-ASCII, none.
 */
function handshakes(n: number, seed = 7): TlsfpRecord[] {
  let s = seed;
  const rand = (k: number) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return Math.floor((s / 4294967296) ** 2 * k);
  };
  const alpns = [["h2"], ["http/1.1"], [], ["7"], ["__proto__"], ['q"\\x'], ["ü-é"], ["10"]];
  const hex = (i: number, len: number) => i.toString(16).padStart(len, "0");
  return Array.from({ length: n }, (_, i) => {
    const quic = rand(6) === 0;
    return fakeRecord({
      tsNs: 1_795_247_940_000_000_000n + BigInt(i) * 1_000_000n,
      srcIp: `10.2.${rand(30)}.${rand(200)}`,
      destIp: `192.0.2.${rand(60)}`,
      transport: quic ? "quic" : i % 41 === 0 ? "dtls" : "tcp",
      sni: rand(9) === 0 ? null : `h${rand(200)}.example`,
      clientAlpns: alpns[rand(alpns.length)] as string[],
      ja4: `t13d${hex(rand(12), 4)}h2_000000000000_${hex(rand(5), 12)}`,
      ja3: { hash: hex(rand(15), 32), string: "" },
      ja3s: quic || rand(4) === 0 ? null : { hash: hex(rand(4) + 0xabc, 32), string: "" },
    });
  });
}

const BOUND = 16;

function aggregatesOf(records: readonly TlsfpRecord[]): NativeAggregates {
  const a = new Aggregates(addon, BOUND);
  a.ingest(records);
  return a.native;
}

/** Every id a kind has (and one past them, which has no aggregate). */
function allIds(a: NativeAggregates, kind: (typeof KINDS)[number]): Uint32Array {
  return Uint32Array.from({ length: a.size(kind) + 1 }, (_, i) => i + 1);
}

describe("Aggregates.rows", () => {
  it("gives what row() gives, aggregate for aggregate, for every kind", () => {
    const a = aggregatesOf(handshakes(6000));
    // A ja4_sni restored without its JA4 aggregate: an id of the ja4 kind with none.
    const orphan = "t13d9999h2_000000000000_000000000000";
    const stored = a.row("ja4_sni", 1);
    if (stored === null) throw new Error("no ja4_sni aggregate 1");
    a.restore("ja4_sni", { ...stored, value: `${orphan}|orphan.example` });
    let estimated = 0;
    let multiAlpn = 0;
    for (const kind of KINDS) {
      const ids = allIds(a, kind);
      const r = a.rows(kind, ids);
      const want = Array.from(ids).filter((id) => a.row(kind, id) !== null);
      expect(Array.from(r.ids)).toEqual(want);
      if (kind === "ja4") expect(want).not.toContain(a.idOf("ja4_sni", orphan));
      for (let i = 0; i < r.ids.length; i++) {
        const row = a.row(kind, r.ids[i] as number);
        if (row === null) throw new Error("vanished");
        const blob = (j: number) =>
          Buffer.from(r.blobs.subarray(r.blobOffsets[3 * i + j], r.blobOffsets[3 * i + j + 1]));
        const alpn: Record<string, number> = {};
        for (let e = r.alpnOffsets[i] as number; e < (r.alpnOffsets[i + 1] as number); e++)
          alpn[r.alpnNames[r.alpnName[e] as number] as string] = r.alpnCount[e] as number;
        const got = {
          value: r.values[i],
          firstSeen: r.firstSeen[i],
          lastSeen: r.lastSeen[i],
          count: r.count[i],
          distinctClients: r.distinctClients[i],
          distinctServers: r.distinctServers[i],
          distinctSnis: r.distinctSnis[i],
          alpn,
          tcp: r.tcp[i],
          quic: r.quic[i],
          dtls: r.dtls[i],
          clients: blob(0),
          servers: blob(1),
          snis: row.snis === null ? null : blob(2),
        };
        if (row.snis === null) expect(blob(2).length).toBe(0);
        // the same keys in the same order: the stored JSON depends on it
        expect(JSON.stringify(got.alpn)).toBe(JSON.stringify(row.alpn));
        expect(got).toEqual({
          ...row,
          clients: Buffer.from(row.clients),
          servers: Buffer.from(row.servers),
          snis: row.snis === null ? null : Buffer.from(row.snis),
        });
        if (row.clients[0] === 0xff && row.clients.length === 1025) estimated++;
        if (Object.keys(row.alpn).length > 1) multiAlpn++;
      }
    }
    expect(estimated).toBeGreaterThan(5);
    expect(multiAlpn).toBeGreaterThan(5);
  });

  it("markDirty queues ids for takeDirty again, leaving out ids without an aggregate", () => {
    const a = aggregatesOf(handshakes(200));
    for (const kind of KINDS) a.takeDirty(kind);
    expect(a.takeDirty("ja3")).toEqual(new Uint32Array(0));
    a.markDirty("ja3", Uint32Array.of(2, 1, a.size("ja3") + 10, 2));
    expect(Array.from(a.takeDirty("ja3")).sort()).toEqual([1, 2]);
  });

  it("sortByValue orders ids by the bytes of their values, ids without one last", () => {
    const a = aggregatesOf(handshakes(3000));
    const bytes = (v: string) => Buffer.from(v, "utf8");
    for (const kind of KINDS) {
      const ids = Uint32Array.from([0, ...allIds(a, kind)].reverse());
      a.sortByValue(kind, ids);
      const n = a.size(kind);
      const values = Array.from(ids.subarray(0, n), (id) => a.names(kind, id)[0] as string);
      // (JA4s are all of one length here, so JA4×SNI's order is its values')
      const want = values.slice().sort((x, y) => Buffer.compare(bytes(x), bytes(y)));
      expect(values).toEqual(want);
      expect(new Set(ids.subarray(0, n)).size).toBe(n);
      expect(Array.from(ids.subarray(n)).sort()).toEqual([0, n + 1]);
    }
    // SQLite's order is the UTF-8 bytes', not JS's UTF-16 one (which puts
    // U+1F600 before U+FF21); the pair without an SNI ("<ja4>|") first.
    const b = new Aggregates(addon).native;
    const ja4 = "t13d0000h2_000000000000_000000000000";
    for (const sni of ["\u{1F600}.example", "\uFF21.example", null, "a.example"])
      b.add(ja4, "j", null, sni, "", "1", "2", "tcp", 0);
    const snis = Uint32Array.of(1, 2, 3);
    b.sortByValue("sni", snis);
    expect(Array.from(snis, (id) => b.names("sni", id)[0])).toEqual([
      "a.example",
      "\uFF21.example",
      "\u{1F600}.example",
    ]);
    const pairs = Uint32Array.of(1, 2, 3, 4);
    b.sortByValue("ja4_sni", pairs);
    expect(Array.from(pairs, (id) => b.names("ja4_sni", id)[0])).toEqual(
      ["", "a.example", "\uFF21.example", "\u{1F600}.example"].map((x) => `${ja4}|${x}`),
    );
  });

  it("refuses bad arguments with a TypeError naming them", () => {
    const a = aggregatesOf(handshakes(10));
    expect(() => a.rows("ja4", [1, 2] as never)).toThrow(
      new TypeError("rows(kind, ids): ids must be a Uint32Array"),
    );
    expect(() => a.rows("ja4", new Int32Array(2) as never)).toThrow(TypeError);
    expect(() => a.rows("nope" as never, new Uint32Array(1))).toThrow(/kind must be/);
    expect(() => a.markDirty("ja4", undefined as never)).toThrow(
      new TypeError("markDirty(kind, ids): ids must be a Uint32Array"),
    );
    expect(() => a.markDirty(1 as never, new Uint32Array(1))).toThrow(TypeError);
    expect(() => a.sortByValue("sni", null as never)).toThrow(
      new TypeError("sortByValue(kind, ids): ids must be a Uint32Array"),
    );
  });
});

/** Every stored aggregate row, with the SQLite type of every column, in key order. */
function storedRows(path: string): unknown[] {
  const db = new Database(path, { readonly: true });
  try {
    return db
      .prepare(
        `SELECT *, typeof(first_seen) AS t1, typeof(count) AS t2, typeof(distinct_clients) AS t3,
                typeof(alpn) AS t4, typeof(clients) AS t5, typeof(snis) AS t6
         FROM aggregates ORDER BY kind, value`,
      )
      .all();
  } finally {
    db.close();
  }
}

/**
 * A database as the former write path left it: the store's schema, then a
 * row() object per changed aggregate, bound by name, alpn as
 * JSON.stringify of its object.
 */
function writeFormerly(path: string, records: readonly TlsfpRecord[]): void {
  openStore({ path, flushIntervalMs: 0, labels: [] }).close(); // the schema
  const a = aggregatesOf(records);
  const db = new Database(path);
  const upsert = db.prepare(
    `INSERT OR REPLACE INTO aggregates VALUES
     (@kind, @value, @first_seen, @last_seen, @count, @tcp, @quic, @dtls,
      @distinct_clients, @distinct_servers, @distinct_snis, @alpn, @clients, @servers, @snis)`,
  );
  db.transaction(() => {
    for (const kind of KINDS) {
      for (const id of a.takeDirty(kind)) {
        const r = a.row(kind, id);
        if (r === null) continue;
        upsert.run({
          kind,
          value: r.value,
          first_seen: r.firstSeen,
          last_seen: r.lastSeen,
          count: r.count,
          tcp: r.tcp,
          quic: r.quic,
          dtls: r.dtls,
          distinct_clients: r.distinctClients,
          distinct_servers: r.distinctServers,
          distinct_snis: r.distinctSnis,
          alpn: JSON.stringify(r.alpn),
          clients: r.clients,
          servers: r.servers,
          snis: r.snis,
        });
      }
    }
  })();
  db.close();
}

const everything = (s: FingerprintStore) =>
  s.queryFingerprints({ limit: 1_000_000, offset: 0, sort: "value" });

describe("the aggregates the store writes", () => {
  const records = handshakes(8000, 11);

  it("are the rows the former write path stored, column for column", () => {
    const formerly = join(dir, "former.db");
    writeFormerly(formerly, records);
    const path = join(dir, "now.db");
    const s = openStore({ path, flushIntervalMs: 0, labels: [], distinctBound: BOUND });
    s.ingest(records);
    s.close();
    const want = storedRows(formerly);
    expect(want.length).toBeGreaterThan(1000);
    expect(storedRows(path)).toEqual(want);
  });

  it("restore from a database the former write path wrote, figure for figure", () => {
    const path = join(dir, "former-restore.db");
    writeFormerly(path, records);
    const live = openStore({
      path: ":memory:",
      flushIntervalMs: 0,
      labels: [],
      distinctBound: BOUND,
    });
    live.ingest(records);
    const s = openStore({ path, flushIntervalMs: 0, labels: [], distinctBound: BOUND });
    const got = everything(s);
    expect(got.total).toBeGreaterThan(1000);
    expect(got).toEqual(everything(live));
    s.close();
    live.close();
  });

  it("left over when a timed flush's time is up are queued again, and close writes them", async () => {
    const path = join(dir, "window.db");
    const s = openStore({ path, flushIntervalMs: 10, labels: [], historyMax: 0 });
    // 20 000 JA4 aggregates: ten chunks of rows, one sorted window
    s.ingest(
      Array.from({ length: 20_000 }, (_, i) =>
        fakeRecord({ ja4: `t13d0000h2_000000000000_${i.toString(16).padStart(12, "0")}` }),
      ),
    );
    const want = everything(s);
    // Each reading of the clock is 20 ms after the last: a flush (budget
    // 50 ms) writes one chunk, then its time is up.
    let t = 0;
    const spy = vi.spyOn(performance, "now").mockImplementation(() => (t += 20));
    await new Promise((r) => setTimeout(r, 15));
    spy.mockRestore();
    const db = new Database(path, { readonly: true });
    const n = (db.prepare("SELECT COUNT(*) AS n FROM aggregates").get() as { n: number }).n;
    db.close();
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(want.total);
    s.close();
    const again = openStore({ path, flushIntervalMs: 0, labels: [] });
    expect(everything(again)).toEqual(want);
    again.close();
  });

  it("are queued again when their write fails, and the next write stores them", () => {
    const path = join(dir, "fail.db");
    const s = openStore({ path, flushIntervalMs: 0, labels: [], historyMax: 100 });
    s.ingest(records.slice(0, 4000));
    s.flush();
    s.ingest(records.slice(4000)); // changes written aggregates and makes new ones
    // (not recentHandshakes: it would flush)
    const want = everything(s);
    // Every insert into the aggregates fails while this trigger exists.
    const other = new Database(path);
    other.exec(
      `CREATE TRIGGER fail_aggregates BEFORE INSERT ON aggregates
       BEGIN SELECT RAISE(ABORT, 'injected failure'); END`,
    );
    expect(() => s.flush()).toThrow(/injected failure/);
    other.exec("DROP TRIGGER fail_aggregates");
    other.close();
    s.close();
    const again = openStore({ path, flushIntervalMs: 0, labels: [] });
    expect(everything(again)).toEqual(want);
    const h = again.recentHandshakes({ limit: 100, offset: 0 });
    expect(h.total).toBe(100);
    expect(h.items[0]?.seq).toBe(records.length);
    expect(again.stats().ingested).toBe(records.length);
    again.close();
  });
});
