/**
 * The store's contract: what ingest writes and what the query API reads.
 *
 * Aggregates are kept live (updated per ingested record, never recomputed per
 * query) and persisted to SQLite; recent handshakes are kept in a bounded
 * history. One implementation (src/store/store.ts) serves the API, the
 * supervisor and the tests; the API depends only on this file.
 */
import type {
  NativeAggregate,
  NativeAggregates,
  RecordBatch,
  TlsfpRecord,
} from "../addon/native.js";

/** What an aggregate is keyed by. `ja4_sni` keys are `${ja4}|${sni}`. */
export type FingerprintKind = "ja4" | "ja3" | "ja3s" | "sni" | "ja4_sni";

/** An aggregate's figures (the native engine's, src/addon/native.ts) with its key and label. */
export interface FingerprintAggregate extends NativeAggregate {
  kind: FingerprintKind;
  value: string;
  /** Known-fingerprint label (config/labels), when one matches. */
  label?: FingerprintLabel;
}

export interface FingerprintLabel {
  /** e.g. "curl 7.88 (OpenSSL 3.0)", "Chromium 156". */
  application: string;
  /** Where the label came from: "tlsfp" (shipped), a file name, "user". */
  source: string;
  notes?: string;
}

export interface FingerprintDetail extends FingerprintAggregate {
  /** Most frequent SNIs / client IPs with this fingerprint, most first. */
  topSnis: { value: string; count: number }[];
  topClients: { value: string; count: number }[];
}

export type SortField = "count" | "lastSeen" | "firstSeen" | "value";

export interface FingerprintQuery {
  kind?: FingerprintKind;
  /** Exact value, or a prefix; for JA4 also one section: a, b or c. */
  value?: string;
  prefix?: string;
  ja4Section?: { section: "a" | "b" | "c"; value: string };
  sni?: string;
  /** Unix ms: last seen at or after `since`, first seen at or before `until`. */
  since?: number;
  until?: number;
  sort?: SortField;
  order?: "asc" | "desc";
  limit: number;
  offset: number;
}

export interface HandshakeQuery {
  ja4?: string;
  ja3?: string;
  ja3s?: string;
  sni?: string;
  clientIp?: string;
  serverIp?: string;
  transport?: "tcp" | "quic" | "dtls";
  since?: number;
  until?: number;
  limit: number;
  offset: number;
}

/** A stored handshake: the record as ingested, plus its ingest sequence number. */
export interface StoredHandshake {
  seq: number;
  record: TlsfpRecord;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export interface StoreStats {
  ingested: number;
  historyRows: number;
  /**
   * Handshakes that never reached the history since the store was opened:
   * left out by a time-limited flush under load (the newest rows are written
   * first), or pushed out of the native recent ring before a flush. The
   * rows past historyMax between two flushes are not counted: the history
   * would have dropped them anyway.
   */
  historySkipped: number;
  aggregates: Record<FingerprintKind, number>;
  /** Unix ms of the last persisted flush, 0 if none yet. */
  lastFlush: number;
}

export interface FingerprintStore {
  /** Aggregate and keep records given as objects (tests, small feeds). */
  ingest(records: readonly TlsfpRecord[]): void;
  /**
   * The ingest path (bench/ingest.mjs measures it): a batch drained into
   * this store's `aggregates` (RegionReader.drainBatch,
   * CaptureAnalyzer.nextBatch), which aggregated it as it read it. This
   * counts it and keeps its history and live-stream share.
   */
  ingestBatch(batch: RecordBatch): void;
  /** The store's native aggregates: what drainBatch / nextBatch must be given. */
  readonly aggregates: NativeAggregates;
  queryFingerprints(q: FingerprintQuery): Page<FingerprintAggregate>;
  /** JA3/JA3S (32 hex) or JA4 (36 chars) or an SNI; null when never seen. */
  getFingerprint(value: string): FingerprintDetail | null;
  recentHandshakes(q: HandshakeQuery): Page<StoredHandshake>;
  /** Live feed of ingested handshakes matching q (limit/offset ignored). */
  subscribe(
    q: Omit<HandshakeQuery, "limit" | "offset">,
    fn: (h: StoredHandshake) => void,
  ): () => void;
  /** Add or replace user labels; returns how many were stored. */
  putLabels(labels: { kind: FingerprintKind; value: string; label: FingerprintLabel }[]): number;
  stats(): StoreStats;
  /** Write dirty aggregates and history to SQLite now. */
  flush(): void;
  close(): void;
}
