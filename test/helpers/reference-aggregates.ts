/**
 * The reference model of the store's aggregates: the TypeScript
 * implementation the store used before aggregation moved to C++
 * (native/agg_engine.h). Tests feed both the same records and compare every
 * figure (test/unit/store-batch.test.ts); it is not used by the appliance.
 *
 * Distinct counts are exact up to `bound` values (32-bit hashes), then a
 * 1024-register HyperLogLog; a (JA4×SNI, JA3, JA3S, field, value) tuple
 * already counted skips the distinct-set updates (SeenTuples).
 */
import type { TlsfpRecord } from "../../src/addon/native.js";
import { hash32 } from "../../src/store/aggregates.js";
import type { FingerprintKind } from "../../src/store/types.js";

export { hash32 };

/** tcp, quic or dtls: also the name of the aggregate's count for it. */
type Transport = TlsfpRecord["transport"];

export const DEFAULT_DISTINCT_BOUND = 4096;

const HLL_P = 10;
const HLL_M = 1 << HLL_P;

/** Adds a hash; true when a register grew. */
function hllAdd(reg: Uint8Array, h: number): boolean {
  const idx = h >>> (32 - HLL_P);
  const rest = (h << HLL_P) | (1 << (HLL_P - 1)); // sentinel bit caps rho at 32-P+1
  const rho = Math.clz32(rest) + 1;
  if (rho <= (reg[idx] as number)) return false;
  reg[idx] = rho;
  return true;
}

function hllEstimate(reg: Uint8Array): number {
  let sum = 0;
  let zeros = 0;
  for (let i = 0; i < HLL_M; i++) {
    const r = reg[i] as number;
    sum += 2 ** -r;
    if (r === 0) zeros++;
  }
  const e = ((0.7213 / (1 + 1.079 / HLL_M)) * HLL_M * HLL_M) / sum;
  if (e <= 2.5 * HLL_M && zeros > 0) return Math.round(HLL_M * Math.log(HLL_M / zeros));
  return Math.round(e);
}

/**
 * Distinct values by their hash32: exact up to the bound, then a HyperLogLog.
 * Three forms: a single member in `one` (no array: most JA4×SNI aggregates
 * see one client), an open-addressing table, or the HyperLogLog registers.
 */
export class Distinct {
  /** The member while n ≤ 1 and slots is null. */
  one = 0;
  /** Open addressing, linear probing, 0 = empty, load ≤ 1/2; null while n ≤ 1 or estimated. */
  slots: Int32Array | null = null;
  n = 0;
  hll: Uint8Array | null = null;
  private est = -1;

  add(h: number, bound: number): void {
    if (this.hll !== null) {
      if (hllAdd(this.hll, h)) this.est = -1;
      return;
    }
    const s = this.slots;
    if (s === null) {
      if (this.n === 1 && this.one === h) return;
      if (this.n >= bound) {
        this.toHll(h);
        return;
      }
      if (this.n === 0) {
        this.one = h;
        this.n = 1;
        return;
      }
      const t = new Int32Array(8);
      t[this.one & 7] = this.one;
      let j = h & 7;
      while (t[j] !== 0) j = (j + 1) & 7;
      t[j] = h;
      this.slots = t;
      this.n = 2;
      return;
    }
    const mask = s.length - 1;
    let i = h & mask;
    for (;;) {
      const v = s[i] as number;
      if (v === h) return;
      if (v === 0) break;
      i = (i + 1) & mask;
    }
    if (this.n >= bound) {
      this.toHll(h);
      return;
    }
    s[i] = h;
    if (++this.n * 2 > s.length) this.grow(s);
  }

  has(h: number): boolean {
    if (this.hll !== null) return true; // estimated: unknown, say maybe
    const s = this.slots;
    if (s === null) return this.n === 1 && this.one === h;
    const mask = s.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const v = s[i] as number;
      if (v === h) return true;
      if (v === 0) return false;
    }
  }

  /** The exact members (not once estimated). */
  private members(): Int32Array {
    if (this.slots === null) return this.n === 1 ? Int32Array.of(this.one) : new Int32Array(0);
    const s = this.slots;
    const out = new Int32Array(this.n);
    let k = 0;
    for (let i = 0; i < s.length; i++) if (s[i] !== 0) out[k++] = s[i] as number;
    return out;
  }

  private grow(old: Int32Array): void {
    const s = new Int32Array(old.length * 2);
    const mask = s.length - 1;
    for (let j = 0; j < old.length; j++) {
      const v = old[j] as number;
      if (v === 0) continue;
      let i = v & mask;
      while (s[i] !== 0) i = (i + 1) & mask;
      s[i] = v;
    }
    this.slots = s;
  }

  /** Past the bound: the members and `h` into a HyperLogLog; the table is released. */
  private toHll(h: number): void {
    const reg = new Uint8Array(HLL_M);
    for (const v of this.members()) hllAdd(reg, v);
    hllAdd(reg, h);
    this.hll = reg;
    this.slots = null;
    this.est = -1;
  }

  /** Exact below the bound, else the estimate (never below the bound). */
  get size(): number {
    if (this.hll === null) return this.n;
    if (this.est < 0) this.est = Math.max(this.n, hllEstimate(this.hll));
    return this.est;
  }

  get estimated(): boolean {
    return this.hll !== null;
  }

  /** Serialised: the member hashes (Int32 LE) or, once estimated, the 1024 registers. */
  toBlob(): Buffer {
    if (this.hll !== null) return Buffer.from(this.hll);
    const m = this.members();
    return Buffer.from(m.buffer, m.byteOffset, m.byteLength);
  }

  /** Back from toBlob(); `estimated` says which form it is, n the count it had. */
  static fromBlob(b: Buffer, estimated: boolean, n: number): Distinct {
    const d = new Distinct();
    if (estimated) {
      d.hll = new Uint8Array(HLL_M);
      d.hll.set(b.subarray(0, HLL_M));
      d.n = n;
      return d;
    }
    const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    for (let j = 0; j + 4 <= b.length; j += 4) {
      d.add(view.getInt32(j, true), Number.MAX_SAFE_INTEGER);
    }
    return d;
  }
}

/** ALPN strings interned to small indexes (few distinct values in practice). */
export class AlpnTable {
  readonly names: string[] = [];
  private readonly index = new Map<string, number>();

  id(name: string): number {
    let i = this.index.get(name);
    if (i === undefined) {
      i = this.names.length;
      this.names.push(name);
      this.index.set(name, i);
    }
    return i;
  }
}

/**
 * Tuples already counted: (JA4×SNI, JA3, JA3S aggregate ids, which field,
 * the client/server/SNI hash), compared whole — a hash of the ids here once
 * made different tuples look alike and undercounted distinct clients. Most
 * handshakes repeat a client's earlier one; a hit skips that record's five
 * distinct-set updates, which are random memory accesses. Cleared when half
 * full: a miss only costs the set updates again (they are idempotent).
 */
export class SeenTuples {
  private keys: Int32Array;
  private n = 0;

  constructor(private readonly capacity = 1 << 20) {
    this.keys = new Int32Array(4 * capacity);
  }

  /**
   * True when (pair, ja3, ja3sField, value) was seen before; records it
   * otherwise. Ids are positive, so an all-zero slot is empty.
   */
  seen(pair: number, ja3: number, ja3sField: number, value: number): boolean {
    const k = this.keys;
    const mask = this.capacity - 1;
    let i = mix(mix(mix(pair, ja3), ja3sField), value) & mask;
    for (;;) {
      const o = 4 * i;
      if (k[o] === pair && k[o + 1] === ja3 && k[o + 2] === ja3sField && k[o + 3] === value)
        return true;
      if (k[o] === 0) break;
      i = (i + 1) & mask;
    }
    if (++this.n * 2 > this.capacity) {
      k.fill(0);
      this.n = 1;
      i = mix(mix(mix(pair, ja3), ja3sField), value) & mask;
    }
    const o = 4 * i;
    k[o] = pair;
    k[o + 1] = ja3;
    k[o + 2] = ja3sField;
    k[o + 3] = value;
    return false;
  }
}

/** Order-dependent 32-bit combine (murmur3 finalizer over h·φ ^ x). */
function mix(h: number, x: number): number {
  h = Math.imul(h, 0x9e3779b1) ^ x;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0 || 1;
}

const TRANSPORT_INDEX: Record<Transport, number> = { tcp: 0, quic: 1, dtls: 2 };
let nextAggId = 1;

/** One aggregate, mutable in place. `snis` is null for kinds keyed by SNI. */
export class Agg {
  /** Process-local id (the SeenTuples keys). */
  readonly id = nextAggId++;
  firstSeen = Number.POSITIVE_INFINITY;
  lastSeen = 0;
  count = 0;
  tcp = 0;
  quic = 0;
  dtls = 0;
  /** Count per AlpnTable index. */
  alpn: number[] = [];
  clients = new Distinct();
  servers = new Distinct();
  snis: Distinct | null;

  constructor(
    readonly kind: FingerprintKind,
    readonly value: string,
    withSnis: boolean,
  ) {
    this.snis = withSnis ? new Distinct() : null;
  }

  get distinctSnis(): number {
    return this.snis === null ? 1 : this.snis.size;
  }
}

export const KINDS: readonly FingerprintKind[] = ["ja4", "ja3", "ja3s", "sni", "ja4_sni"];

/** All aggregates of all kinds. */
export class Aggregates {
  readonly byKind: Record<FingerprintKind, Map<string, Agg>> = {
    ja4: new Map(),
    ja3: new Map(),
    ja3s: new Map(),
    sni: new Map(),
    ja4_sni: new Map(),
  };
  /** ja4 → sni → aggregate (JA4×SNI without building a key string per record). */
  readonly ja4Sni = new Map<string, Map<string, Agg>>();
  readonly alpns = new AlpnTable();
  private readonly seen = new SeenTuples();

  constructor(readonly bound = DEFAULT_DISTINCT_BOUND) {}

  private get(kind: FingerprintKind, value: string): Agg {
    const m = this.byKind[kind];
    let a = m.get(value);
    if (a === undefined) {
      a = new Agg(kind, value, kind !== "sni");
      m.set(value, a);
    }
    return a;
  }

  private getJa4Sni(ja4: string, sni: string): Agg {
    let inner = this.ja4Sni.get(ja4);
    if (inner === undefined) {
      inner = new Map();
      this.ja4Sni.set(ja4, inner);
    }
    let a = inner.get(sni);
    if (a === undefined) {
      const key = `${ja4}|${sni}`;
      a = new Agg("ja4_sni", key, false);
      inner.set(sni, a);
      this.byKind.ja4_sni.set(key, a);
    }
    return a;
  }

  /** t: 0 tcp, 1 quic, 2 dtls (a number: `a[name]++` is a slow keyed access). */
  private bump(a: Agg, ts: number, alpn: number, t: number, c: number, s: number, n: number) {
    if (ts < a.firstSeen) a.firstSeen = ts;
    if (ts > a.lastSeen) a.lastSeen = ts;
    a.count++;
    if (t === 0) a.tcp++;
    else if (t === 1) a.quic++;
    else a.dtls++;
    const am = a.alpn;
    while (am.length <= alpn) am.push(0);
    am[alpn] = (am[alpn] as number) + 1;
    const bound = this.bound;
    if (c !== 0) a.clients.add(c, bound);
    if (s !== 0) a.servers.add(s, bound);
    if (a.snis !== null && n !== 0) a.snis.add(n, bound);
  }

  /**
   * Aggregates records. Records without an SNI count in JA4×SNI under
   * `${ja4}|` and not in the SNI kind; records without a ServerHello not in JA3S.
   */
  ingest(records: readonly TlsfpRecord[]): void {
    const alpns = this.alpns;
    for (let i = 0; i < records.length; i++) {
      const r = records[i] as TlsfpRecord;
      const sni = r.sni;
      this.add(
        this.get("ja4", r.ja4),
        this.getJa4Sni(r.ja4, sni ?? ""),
        this.get("ja3", r.ja3.hash),
        r.ja3s === null ? null : this.get("ja3s", r.ja3s.hash),
        sni === null ? null : this.get("sni", sni),
        Math.floor(Number(r.tsNs) / 1e6),
        alpns.id(r.clientAlpns.length > 0 ? (r.clientAlpns[0] as string) : ""),
        TRANSPORT_INDEX[r.transport],
        hash32(r.srcIp),
        hash32(r.destIp),
        sni === null ? 0 : hash32(sni),
      );
    }
  }

  /**
   * One handshake into its (up to) five aggregates. c, s, n: hash32 of the
   * client, server and SNI (n 0 without an SNI).
   */
  private add(
    ja4: Agg,
    pair: Agg,
    ja3: Agg,
    ja3s: Agg | null,
    sniAgg: Agg | null,
    ts: number,
    alpn: number,
    tr: number,
    c: number,
    s: number,
    n: number,
  ): void {
    // JA4×SNI, JA3 and JA3S determine all five; 0 below = already counted,
    // skip. The field (1 client, 2 server, 3 SNI) rides in the low bits
    // beside the JA3S id (ids stay far below 2^29).
    const seen = this.seen;
    const sid = (ja3s === null ? 0 : ja3s.id) << 2;
    if (seen.seen(pair.id, ja3.id, sid | 1, c)) c = 0;
    if (seen.seen(pair.id, ja3.id, sid | 2, s)) s = 0;
    if (n !== 0 && seen.seen(pair.id, ja3.id, sid | 3, n)) n = 0;
    this.bump(ja4, ts, alpn, tr, c, s, n);
    this.bump(ja3, ts, alpn, tr, c, s, n);
    if (ja3s !== null) this.bump(ja3s, ts, alpn, tr, c, s, n);
    if (sniAgg !== null) this.bump(sniAgg, ts, alpn, tr, c, s, n);
    this.bump(pair, ts, alpn, tr, c, s, n);
  }

  /** ALPN name → count of an aggregate. */
  alpnMix(a: Agg): Record<string, number> {
    const out: Record<string, number> = {};
    for (let i = 0; i < a.alpn.length; i++) {
      const c = a.alpn[i] as number;
      if (c > 0) out[this.alpns.names[i] as string] = c;
    }
    return out;
  }
}
