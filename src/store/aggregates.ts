/**
 * The store's live aggregates by JA4, JA3, JA3S, SNI and JA4×SNI, updated per
 * ingested record, never recomputed per query.
 *
 * They live in C++ (native/agg_engine.h), beside the dictionary that gives
 * their keys small ids: the ring drain aggregates each record as it reads it
 * (RegionReader.drainBatch), with no JS object per record: about a million
 * records per CPU second on one core (the median in bench/ingest.mjs's
 * harsh workload, docs/benchmarks.md), against ~55 k before. This class is
 * the TypeScript side: the records given as objects, the id → value names
 * (cached), and the kinds.
 *
 * Distinct counts are exact up to `bound` values (32-bit hashes of the
 * address / SNI text: for 4096 values a miscount of one has a probability of
 * ~0.2 %), then a 1024-register HyperLogLog (~3 % standard error). The
 * semantics are those of the reference model in test/helpers/
 * reference-aggregates.ts, which the tests hold the engine to.
 */
import type { AggregateKind, NativeAddon, NativeAggregates, TlsfpRecord } from "../addon/native.js";
import type { FingerprintKind } from "./types.js";

export const DEFAULT_DISTINCT_BOUND = 4096;

export const KINDS: readonly FingerprintKind[] = ["ja4", "ja3", "ja3s", "sni", "ja4_sni"];

/**
 * 32-bit FNV-1a over UTF-16 code units, then murmur3's finaliser: the hash
 * of the distinct sets (the engine's Hash32 over the same ASCII text).
 */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0 || 1; // 0 marks "none"
}

export class Aggregates {
  readonly native: NativeAggregates;
  /** id → value per kind (index 0 unused), extended on demand. */
  private readonly names: Record<AggregateKind, string[]> = {
    ja4: [""],
    ja3: [""],
    ja3s: [""],
    sni: [""],
    ja4_sni: [""],
  };

  /**
   * recentMax: handshakes kept natively between flushes (the history's
   * newest); preallocPairs: JA4×SNI pairs whose memory is committed now.
   */
  constructor(
    addon: NativeAddon,
    bound = DEFAULT_DISTINCT_BOUND,
    recentMax = 0,
    preallocPairs = 0,
  ) {
    this.native = new addon.Aggregates({ distinctBound: bound, recentMax, preallocPairs });
  }

  /**
   * Aggregates records given as objects. Records without an SNI count in
   * JA4×SNI under `${ja4}|` and not in the SNI kind; records without a
   * ServerHello not in JA3S.
   */
  ingest(records: readonly TlsfpRecord[]): void {
    const n = this.native;
    for (const r of records) {
      n.add(
        r.ja4,
        r.ja3.hash,
        r.ja3s === null ? null : r.ja3s.hash,
        r.sni,
        r.clientAlpns.length > 0 ? (r.clientAlpns[0] as string) : "",
        r.srcIp,
        r.destIp,
        r.transport,
        Math.floor(Number(r.tsNs) / 1e6),
      );
    }
  }

  /** The value of an id. */
  name(kind: AggregateKind, id: number): string {
    const names = this.allNames(kind);
    return names[id] as string;
  }

  /** id → value of every id of a kind so far (the cached array itself). */
  allNames(kind: AggregateKind): readonly string[] {
    const names = this.names[kind];
    if (names.length <= this.native.size(kind)) {
      for (const s of this.native.names(kind, names.length)) names.push(s);
    }
    return names;
  }
}
