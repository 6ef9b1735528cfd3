/**
 * The FingerprintStore (src/store/types.ts): live aggregates in memory
 * (aggregates.ts), persisted with a bounded handshake history to SQLite
 * (sqlite.ts) every flushIntervalMs, and known-fingerprint labels.
 *
 * Durability: write-behind. A killed process loses at most the handshakes
 * ingested since the last flush (flushIntervalMs, 1 s by default); close()
 * flushes. On open the aggregates, counters and labels are loaded back.
 *
 * History retention is relative to the newest handshake seen (capture time),
 * not the wall clock, so a replayed old capture keeps its history: rows older
 * than retentionDays before it are deleted at each flush, and only the newest
 * historyMax rows are kept.
 */
import { loadAddon } from "../addon/load.js";
import {
  type NativeAggregates,
  RECENT_COLUMNS,
  RecentColumn,
  type RecentRows,
  type RecordBatch,
  type TlsfpRecord,
} from "../addon/native.js";
import { type LabelEntry, loadShippedLabels } from "../labels/labels.js";
import { Aggregates, DEFAULT_DISTINCT_BOUND, hash32, KINDS } from "./aggregates.js";
import { type AggregateRows, type HistoryRow, recordToJson, SqliteBackend } from "./sqlite.js";
import type {
  FingerprintAggregate,
  FingerprintDetail,
  FingerprintKind,
  FingerprintLabel,
  FingerprintQuery,
  FingerprintStore,
  HandshakeQuery,
  Page,
  StoredHandshake,
  StoreStats,
} from "./types.js";

export interface StoreOptions {
  /** SQLite file (created if missing); ":memory:" for a store that does not persist. */
  path: string;
  /** Handshakes kept in the history (default 100 000; 0 keeps none). */
  historyMax?: number;
  /** History rows older than this before the newest handshake are deleted (default 7). */
  retentionDays?: number;
  /** Automatic flush period (default 1000 ms; 0: only explicit flush()/close()). */
  flushIntervalMs?: number;
  /** Base labels (default: the shipped config/labels/tlsfp-labels.json); stored user labels win. */
  labels?: LabelEntry[];
  /** Exact distinct counts up to this many keys per aggregate (default 4096). */
  distinctBound?: number;
  /**
   * JA4×SNI pairs whose memory (with the other tables the ingest fills) is
   * committed when the store opens, so that ingesting them takes no page
   * faults (default 0: committed as records arrive).
   */
  preallocPairs?: number;
  /** Called with an error of an automatic flush (default: process.emitWarning). */
  onFlushError?: (e: Error) => void;
}

const DAY_MS = 86_400_000;
const TOP_N = 10;
const JA4_RE = /^[tqd][0-9a-z]{2}[di][0-9]{4}[0-9a-zA-Z]{2}_[0-9a-f]{12}_[0-9a-f]{12}$/;
const MD5_RE = /^[0-9a-fA-F]{32}$/;

type LiveQuery = Omit<HandshakeQuery, "limit" | "offset">;

function recordMs(r: TlsfpRecord): number {
  return Math.floor(Number(r.tsNs) / 1e6);
}

function rowOfRecord(r: TlsfpRecord, seq: number): HistoryRow {
  return {
    seq,
    ts: recordMs(r),
    ja4: r.ja4,
    ja3: r.ja3.hash,
    ja3s: r.ja3s?.hash ?? null,
    sni: r.sni,
    client: r.srcIp,
    server: r.destIp,
    transport: r.transport,
    record: recordToJson(r),
  };
}

/** True when the handshake matches every filter of q. */
export function matchesHandshake(q: LiveQuery, r: TlsfpRecord): boolean {
  if (q.ja4 !== undefined && r.ja4 !== q.ja4) return false;
  if (q.ja3 !== undefined && r.ja3.hash !== q.ja3) return false;
  if (q.ja3s !== undefined && r.ja3s?.hash !== q.ja3s) return false;
  if (q.sni !== undefined && r.sni !== q.sni) return false;
  if (q.clientIp !== undefined && r.srcIp !== q.clientIp) return false;
  if (q.serverIp !== undefined && r.destIp !== q.serverIp) return false;
  if (q.transport !== undefined && r.transport !== q.transport) return false;
  if (q.since !== undefined || q.until !== undefined) {
    const ts = recordMs(r);
    if (q.since !== undefined && ts < q.since) return false;
    if (q.until !== undefined && ts > q.until) return false;
  }
  return true;
}

/** An aggregate found by a query: enough to filter and sort; its figures come later. */
interface AggRef {
  kind: FingerprintKind;
  id: number;
  value: string;
  count: number;
  firstSeen: number;
  lastSeen: number;
}

/** The JA4 part of a ja4 or ja4_sni value (a JA4 never holds '|', an SNI may). */
function ja4Of(a: { kind: FingerprintKind; value: string }): string {
  return a.kind === "ja4_sni" ? a.value.slice(0, a.value.indexOf("|")) : a.value;
}

function sniOf(a: { value: string }): string {
  return a.value.slice(a.value.indexOf("|") + 1);
}

const SECTION_INDEX = { a: 0, b: 1, c: 2 } as const;
/** Changed aggregates made into rows, and history rows made, at a time while flushing. */
const AGG_CHUNK = 2048;
const HISTORY_CHUNK = 2048;
/**
 * Changed aggregates a timed flush takes from the engine at a time (sorted
 * by value, then written AGG_CHUNK at a time): about what a quarter-second
 * budget writes. What is left when its time is up goes back to the queue, so
 * the bound caps the sorting done for nothing. flush() and close() take
 * all of a kind: the longer the sorted run, the fewer times a page is
 * visited.
 */
const AGG_WINDOW = 65_536;

/**
 * Ingested handshakes not yet in the SQLite history: rows [from, to) of a
 * batch (kept packed; made into records only if written or streamed) or of
 * an array of records.
 */
type Segment =
  | { batch: RecordBatch; records?: undefined; from: number; to: number }
  // batch rows are entries [batch.first + from, batch.first + to) of the recent ring
  | { records: readonly TlsfpRecord[]; batch?: undefined; from: number; to: number };

const TRANSPORT_NAMES = ["tcp", "quic", "dtls"] as const;

class Store implements FingerprintStore {
  private readonly aggs: Aggregates;
  private readonly db: SqliteBackend;
  private readonly labels = new Map<FingerprintKind, Map<string, FingerprintLabel>>();
  private readonly subs = new Set<{ q: LiveQuery; fn: (h: StoredHandshake) => void }>();
  /** Ingested, not yet written to the history; the first row has sequence number pendingSeq. */
  private pending: Segment[] = [];
  private pendingRows = 0;
  private pendingSeq = 1;
  private historySkipped = 0;
  private seq: number;
  private ingested: number;
  private newestTs = 0;
  private lastFlush = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly historyMax: number;
  private readonly retentionMs: number;

  constructor(opts: StoreOptions) {
    this.historyMax = opts.historyMax ?? 100_000;
    this.retentionMs = (opts.retentionDays ?? 7) * DAY_MS;
    this.aggs = new Aggregates(
      loadAddon(),
      opts.distinctBound ?? DEFAULT_DISTINCT_BOUND,
      opts.historyMax ?? 100_000,
      opts.preallocPairs ?? 0,
    );
    for (const k of KINDS) this.labels.set(k, new Map());
    this.db = new SqliteBackend(opts.path, (b) => loadAddon().unpackRecord(b));
    this.newestTs = this.db.loadAggregates(this.aggs.native);
    this.seq = Number(this.db.meta("seq") ?? 0);
    this.pendingSeq = this.seq + 1;
    this.ingested = Number(this.db.meta("ingested") ?? 0);
    this.lastFlush = Number(this.db.meta("last_flush") ?? 0);
    for (const l of opts.labels ?? loadShippedLabels()) this.setLabel(l);
    for (const l of this.db.loadLabels()) this.setLabel(l);
    const every = opts.flushIntervalMs ?? 1000;
    if (every > 0) {
      const onError =
        opts.onFlushError ??
        ((e: Error) => process.emitWarning(`store flush failed: ${e.message}`));
      // A timer flush spends at most a quarter of its period on aggregates.
      const budgetMs = Math.max(50, every / 4);
      this.timer = setInterval(() => {
        try {
          this.write(budgetMs);
        } catch (e) {
          onError(e as Error);
        }
      }, every);
      this.timer.unref();
    }
  }

  private setLabel(l: LabelEntry): void {
    this.labels.get(l.kind)?.set(l.value, l.label);
  }

  private labelOf(a: { kind: FingerprintKind; value: string }): FingerprintLabel | undefined {
    const own = this.labels.get(a.kind)?.get(a.value);
    if (own !== undefined || a.kind !== "ja4_sni") return own;
    return this.labels.get("ja4")?.get(ja4Of(a));
  }

  get aggregates(): NativeAggregates {
    return this.aggs.native;
  }

  ingest(records: readonly TlsfpRecord[]): void {
    if (records.length === 0) return;
    this.aggs.ingest(records);
    let newest = this.newestTs;
    for (let i = 0; i < records.length; i++) {
      const ts = recordMs(records[i] as TlsfpRecord);
      if (ts > newest) newest = ts;
    }
    this.newestTs = newest;
    const first = this.keep({ records, from: 0, to: records.length });
    if (this.subs.size > 0)
      this.publish(
        records,
        records.map((_, i) => first + i),
      );
  }

  ingestBatch(batch: RecordBatch): void {
    if (batch.n === 0) return;
    // Aggregated already, and kept in the recent ring, as the drain read it
    // (drainBatch(this.aggregates)).
    if (batch.newestMs > this.newestTs) this.newestTs = batch.newestMs;
    const first = this.keep({ batch, from: 0, to: batch.n });
    // Live subscribers get whole records: made only while someone listens.
    if (this.subs.size > 0) {
      const got = this.aggs.native.recentRecords(batch.first, batch.first + batch.n);
      this.publish(
        got.map(([, r]) => r),
        got.map(([i]) => first + i - batch.first),
      );
    }
  }

  /** Counts a segment in and queues it for the history; returns its first sequence number. */
  private keep(seg: Segment): number {
    const n = seg.to - seg.from;
    const first = this.seq + 1;
    this.seq += n;
    this.ingested += n;
    if (this.historyMax <= 0) {
      this.pendingSeq = this.seq + 1;
      return first;
    }
    this.pending.push(seg);
    this.pendingRows += n;
    // Between flushes keep about historyMax rows: drop whole segments that
    // only hold rows older than the newest historyMax.
    for (;;) {
      const head = this.pending[0] as Segment;
      const size = head.to - head.from;
      if (this.pendingRows - size < this.historyMax) break;
      this.pending.shift();
      this.pendingRows -= size;
      this.pendingSeq += size;
    }
    return first;
  }

  /** Records with their sequence numbers to the live subscribers. */
  private publish(records: readonly TlsfpRecord[], seqs: readonly number[]): void {
    for (let i = 0; i < records.length; i++) {
      const r = records[i] as TlsfpRecord;
      let h: StoredHandshake | undefined;
      for (const s of this.subs) {
        if (matchesHandshake(s.q, r)) {
          h ??= { seq: seqs[i] as number, record: r };
          try {
            s.fn(h);
          } catch (e) {
            // a failing subscriber must not stop ingest: it is dropped
            this.subs.delete(s);
            process.emitWarning(`store subscriber dropped: ${(e as Error).message}`);
          }
        }
      }
    }
  }

  /**
   * The history rows of pending segments, newest first, in chunks of at most
   * HISTORY_CHUNK, leaving out the oldest `skip`; the segments' first row
   * has sequence number `seq`. Batch rows come from the recent ring; a row
   * it no longer holds (its bytes cap) is left out.
   */
  private historyChunks(
    segments: readonly Segment[],
    skip: number,
    seq: number,
  ): () => HistoryRow[] | null {
    // Each segment's rows [lo, hi) with the sequence number of lo, newest segment first.
    const spans: { seg: Segment; lo: number; hi: number; seq: number }[] = [];
    for (const seg of segments) {
      const size = seg.to - seg.from;
      const cut = Math.min(skip, size);
      if (cut < size) spans.push({ seg, lo: seg.from + cut, hi: seg.to, seq: seq + cut });
      skip -= cut;
      seq += size;
    }
    spans.reverse();
    return () => {
      const span = spans[0];
      if (span === undefined) return null;
      const lo = Math.max(span.lo, span.hi - HISTORY_CHUNK);
      const rows: HistoryRow[] = [];
      const seq0 = span.seq + (lo - span.lo);
      if (span.seg.records !== undefined) {
        for (let i = lo; i < span.hi; i++) {
          rows.push(rowOfRecord(span.seg.records[i] as TlsfpRecord, seq0 + i - lo));
        }
      } else {
        const first = span.seg.batch.first;
        const ring = this.aggs.native.recent(first + lo, first + span.hi);
        for (let k = 0; k < ring.n; k++) {
          rows.push(this.rowOfRecent(ring, k, seq0 + (ring.first - first - lo) + k));
        }
      }
      span.hi = lo;
      if (span.hi <= span.lo) spans.shift();
      return rows;
    };
  }

  private rowOfRecent(ring: RecentRows, k: number, seq: number): HistoryRow {
    const ag = this.aggs;
    const o = k * RECENT_COLUMNS;
    const c = ring.cols;
    const ja3s = c[o + RecentColumn.ja3s] as number;
    const sni = c[o + RecentColumn.sni] as number;
    return {
      seq,
      ts: ring.tsMs[k] as number,
      ja4: ag.name("ja4", c[o + RecentColumn.ja4] as number),
      ja3: ag.name("ja3", c[o + RecentColumn.ja3] as number),
      ja3s: ja3s === 0 ? null : ag.name("ja3s", ja3s),
      sni: sni === 0 ? null : ag.name("sni", sni),
      client: ring.addresses[2 * k] as string,
      server: ring.addresses[2 * k + 1] as string,
      transport: TRANSPORT_NAMES[c[o + RecentColumn.transport] as number] ?? "tcp",
      record: ring.packed.subarray(ring.offsets[k] as number, ring.offsets[k + 1] as number),
    };
  }

  /** Whether aggregate a was seen with this SNI (JA3/JA3S past the distinct bound: maybe → true). */
  private seenWithSni(a: AggRef, sni: string, sniHash: number): boolean {
    switch (a.kind) {
      case "sni":
        return a.value === sni;
      case "ja4_sni":
        return sniOf(a) === sni;
      case "ja4":
        return this.aggs.native.idOf("ja4_sni", `${a.value}|${sni}`) !== 0;
      default:
        return this.aggs.native.has(a.kind, a.id, "snis", sniHash);
    }
  }

  private toAggregate(a: {
    kind: FingerprintKind;
    id: number;
    value: string;
  }): FingerprintAggregate {
    const f = this.aggs.native.get(a.kind, a.id);
    if (f === null) throw new Error(`store: aggregate ${a.kind} ${a.value} vanished`);
    const out: FingerprintAggregate = {
      kind: a.kind,
      value: a.value,
      firstSeen: f.firstSeen,
      lastSeen: f.lastSeen,
      count: f.count,
      distinctClients: f.distinctClients,
      distinctServers: f.distinctServers,
      distinctSnis: f.distinctSnis,
      alpn: f.alpn,
      tcp: f.tcp,
      quic: f.quic,
      dtls: f.dtls,
    };
    const label = this.labelOf(a);
    if (label !== undefined) out.label = label;
    return out;
  }

  queryFingerprints(q: FingerprintQuery): Page<FingerprintAggregate> {
    const kinds = q.kind !== undefined ? [q.kind] : KINDS;
    const sect = q.ja4Section;
    const matched: AggRef[] = [];
    const sniHash = q.sni === undefined ? 0 : hash32(q.sni);
    for (const kind of kinds) {
      const isJa4 = kind === "ja4" || kind === "ja4_sni";
      if (sect !== undefined && !isJa4) continue;
      for (const a of this.candidates(kind, q.value)) {
        if (q.value !== undefined && a.value !== q.value) continue;
        if (q.prefix !== undefined && !a.value.startsWith(q.prefix)) continue;
        if (sect !== undefined && ja4Of(a).split("_")[SECTION_INDEX[sect.section]] !== sect.value) {
          continue;
        }
        if (q.sni !== undefined && !this.seenWithSni(a, q.sni, sniHash)) continue;
        if (q.since !== undefined && a.lastSeen < q.since) continue;
        if (q.until !== undefined && a.firstSeen > q.until) continue;
        matched.push(a);
      }
    }
    const field = q.sort ?? "count";
    const dir = (q.order ?? (field === "value" ? "asc" : "desc")) === "asc" ? 1 : -1;
    const byValue = (x: AggRef, y: AggRef) =>
      x.value < y.value
        ? -1
        : x.value > y.value
          ? 1
          : x.kind < y.kind
            ? -1
            : x.kind > y.kind
              ? 1
              : 0;
    matched.sort((x, y) => {
      const d = field === "value" ? byValue(x, y) : x[field] - y[field];
      return d !== 0 ? d * dir : byValue(x, y);
    });
    const items = matched.slice(q.offset, q.offset + q.limit).map((a) => this.toAggregate(a));
    return { items, total: matched.length, limit: q.limit, offset: q.offset };
  }

  /** The aggregates of a kind: the one of `value` (a lookup), else all (a scan). */
  private candidates(kind: FingerprintKind, value: string | undefined): AggRef[] {
    if (value !== undefined) {
      const r = this.ref(kind, value);
      return r === undefined ? [] : [r];
    }
    const names = this.aggs.allNames(kind);
    const col = this.aggs.native.scan(kind);
    const out: AggRef[] = new Array(col.ids.length);
    for (let i = 0; i < col.ids.length; i++) {
      const id = col.ids[i] as number;
      out[i] = {
        kind,
        id,
        value: names[id] as string,
        count: col.count[i] as number,
        firstSeen: col.firstSeen[i] as number,
        lastSeen: col.lastSeen[i] as number,
      };
    }
    return out;
  }

  private ref(kind: FingerprintKind, value: string): AggRef | undefined {
    const id = this.aggs.native.idOf(kind, value);
    const f = id === 0 ? null : this.aggs.native.get(kind, id);
    if (f === null) return undefined;
    return { kind, id, value, count: f.count, firstSeen: f.firstSeen, lastSeen: f.lastSeen };
  }

  private find(value: string): AggRef | undefined {
    if (MD5_RE.test(value)) {
      const v = value.toLowerCase();
      const ja3 = this.ref("ja3", v);
      const ja3s = this.ref("ja3s", v);
      // The same hash as both (unlikely): the one seen more often.
      if (ja3 !== undefined && ja3s !== undefined) return ja3.count >= ja3s.count ? ja3 : ja3s;
      return ja3 ?? ja3s;
    }
    if (value.length === 36 && JA4_RE.test(value)) return this.ref("ja4", value);
    if (value.includes("|")) {
      const pair = this.ref("ja4_sni", value);
      if (pair !== undefined) return pair;
    }
    return this.ref("sni", value);
  }

  getFingerprint(value: string): FingerprintDetail | null {
    const a = this.find(value);
    if (a === undefined) return null;
    if (this.pendingRows > 0) this.flush(); // top lists from the history come from SQLite
    let topSnis: { value: string; count: number }[];
    let where: { ja4?: string; ja3?: string; ja3s?: string; sni?: string | null };
    if (a.kind === "ja4") {
      // exact over all time, from the live JA4×SNI aggregates (no-SNI handshakes left out)
      const n = this.aggs.native;
      topSnis = Array.from(n.pairsOf(a.id), (id) => ({
        value: sniOf({ value: this.aggs.name("ja4_sni", id) }),
        count: n.get("ja4_sni", id)?.count ?? 0,
      }))
        .filter((t) => t.value !== "")
        .sort((x, y) => y.count - x.count || (x.value < y.value ? -1 : x.value > y.value ? 1 : 0))
        .slice(0, TOP_N);
      where = { ja4: a.value };
    } else if (a.kind === "sni" || a.kind === "ja4_sni") {
      const sni = a.kind === "sni" ? a.value : sniOf(a);
      topSnis = sni === "" ? [] : [{ value: sni, count: a.count }];
      where = a.kind === "sni" ? { sni } : { ja4: ja4Of(a), sni: sni === "" ? null : sni };
    } else {
      where = a.kind === "ja3" ? { ja3: a.value } : { ja3s: a.value };
      topSnis = this.db.topInHistory("sni", where, TOP_N);
    }
    const topClients = this.db.topInHistory("client", where, TOP_N);
    return { ...this.toAggregate(a), topSnis, topClients };
  }

  recentHandshakes(q: HandshakeQuery): Page<StoredHandshake> {
    if (this.pendingRows > 0) this.flush(); // the history is read from SQLite only
    const { items, total } = this.db.queryHistory(q);
    return { items, total, limit: q.limit, offset: q.offset };
  }

  subscribe(q: LiveQuery, fn: (h: StoredHandshake) => void): () => void {
    const s = { q: { ...q }, fn };
    this.subs.add(s);
    return () => {
      this.subs.delete(s);
    };
  }

  putLabels(labels: { kind: FingerprintKind; value: string; label: FingerprintLabel }[]): number {
    const ok = labels.filter((l) => KINDS.includes(l.kind) && l.value !== "");
    this.db.putLabels(ok);
    for (const l of ok) this.setLabel(l);
    return ok.length;
  }

  stats(): StoreStats {
    const aggregates = {} as Record<FingerprintKind, number>;
    for (const k of KINDS) aggregates[k] = this.aggs.native.count(k);
    return {
      ingested: this.ingested,
      historyRows: Math.min(this.historyMax, this.db.historyCount() + this.pendingRows),
      historySkipped: this.historySkipped,
      aggregates,
      lastFlush: this.lastFlush,
    };
  }

  flush(): void {
    this.write(Number.POSITIVE_INFINITY);
  }

  /**
   * One SQLite transaction: the pending history rows (newest first), the
   * counters, then the changed aggregates. With a budget (the timer's
   * flushes) it stops when the time is up, so that under a heavy load the
   * write-behind lags rather than take the core from ingest: history rows
   * get the first half of it, and those not written then are skipped (the
   * history keeps the newest rows each flush could write; at a million
   * handshakes a second the newest historyMax span a tenth of a second
   * anyway); changed aggregates left over stay queued in the engine for the
   * next flush. Without a budget (flush(), close()) everything is written.
   */
  private write(budgetMs: number): void {
    if (this.closed) return;
    const start = performance.now();
    const historyDeadline = start + budgetMs / 2;
    const deadline = start + budgetMs;
    // The ids taken from the engine's queue, in windows sorted by value
    // (sortByValue: the table's key order); the last window's written up to
    // `next`. All go back to the queue if the write fails, the unwritten
    // rest if the time is up. Only ids are kept, not rows: a close() of a
    // busy store takes hundreds of thousands, and rows kept alive to the end
    // cost the GC more than the rows themselves (and the next write reads the
    // then-current figures).
    const native = this.aggs.native;
    const taken: { kind: FingerprintKind; ids: Uint32Array; next: number }[] = [];
    const windowMax = Number.isFinite(budgetMs) ? AGG_WINDOW : undefined;
    let kind = 0;
    const moreAggregates = (): AggregateRows | null => {
      if (performance.now() >= deadline) return null;
      let w = taken.at(-1);
      while (w === undefined || w.next >= w.ids.length) {
        const k = KINDS[kind];
        if (k === undefined) return null;
        const ids = native.takeDirty(k, windowMax);
        if (ids.length === 0) {
          kind++;
          continue;
        }
        native.sortByValue(k, ids);
        w = { kind: k, ids, next: 0 };
        taken.push(w);
      }
      const ids = w.ids.subarray(w.next, w.next + AGG_CHUNK);
      w.next += ids.length;
      return { kind: w.kind, rows: native.rows(w.kind, ids) };
    };
    const segments = this.pending;
    const pendingRows = this.pendingRows;
    const skip = Math.max(0, pendingRows - this.historyMax);
    const pendingSeq = this.pendingSeq;
    this.pending = [];
    this.pendingRows = 0;
    this.pendingSeq = this.seq + 1;
    const chunks = this.historyChunks(segments, skip, pendingSeq);
    let written = 0;
    const moreHistory = (): HistoryRow[] | null => {
      const rows = performance.now() < historyDeadline ? chunks() : null;
      if (rows !== null) written += rows.length;
      return rows;
    };
    const now = Date.now();
    try {
      this.db.flush(
        moreAggregates,
        moreHistory,
        { seq: String(this.seq), ingested: String(this.ingested), last_flush: String(now) },
        this.newestTs - this.retentionMs,
        this.historyMax,
      );
    } catch (e) {
      // Nothing was written (one transaction): keep it for the next flush.
      for (const w of taken) native.markDirty(w.kind, w.ids);
      this.pending = segments.concat(this.pending);
      this.pendingRows += pendingRows;
      this.pendingSeq = pendingSeq;
      throw e;
    }
    const last = taken.at(-1);
    if (last !== undefined && last.next < last.ids.length) {
      native.markDirty(last.kind, last.ids.subarray(last.next));
    }
    this.lastFlush = now;
    this.historySkipped += Math.min(pendingRows, this.historyMax) - written;
  }

  close(): void {
    if (this.closed) return;
    if (this.timer !== undefined) clearInterval(this.timer);
    try {
      this.flush();
    } finally {
      this.closed = true;
      this.db.close();
    }
  }
}

/** Opens (creating if needed) the store at opts.path and loads it back. */
export function openStore(opts: StoreOptions): FingerprintStore {
  return new Store(opts);
}
