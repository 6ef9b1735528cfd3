/**
 * A small in-memory FingerprintStore for the API tests: aggregates by ja4,
 * ja3, ja3s and sni, keeps every handshake, filters naively, and remembers
 * the last queries so a test can assert what the API passed through.
 */
import type { NativeAggregates, RecordBatch, TlsfpRecord } from "../../src/addon/native.js";
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
} from "../../src/store/types.js";

import { addon } from "./addon.js";

type Filter = Omit<HandshakeQuery, "limit" | "offset">;

const tsMs = (r: TlsfpRecord): number => Number(r.tsNs / 1_000_000n);

export function matches(q: Filter, r: TlsfpRecord): boolean {
  if (q.ja4 !== undefined && r.ja4 !== q.ja4) return false;
  if (q.ja3 !== undefined && r.ja3.hash !== q.ja3) return false;
  if (q.ja3s !== undefined && r.ja3s?.hash !== q.ja3s) return false;
  if (q.sni !== undefined && r.sni !== q.sni) return false;
  if (q.clientIp !== undefined && r.srcIp !== q.clientIp) return false;
  if (q.serverIp !== undefined && r.destIp !== q.serverIp) return false;
  if (q.transport !== undefined && r.transport !== q.transport) return false;
  if (q.since !== undefined && tsMs(r) < q.since) return false;
  if (q.until !== undefined && tsMs(r) > q.until) return false;
  return true;
}

interface Agg extends FingerprintAggregate {
  clients: Map<string, number>;
  servers: Set<string>;
  snis: Map<string, number>;
}

export class FakeStore implements FingerprintStore {
  readonly history: StoredHandshake[] = [];
  readonly aggs = new Map<string, Agg>();
  readonly labels = new Map<string, FingerprintLabel>();
  readonly subscribers = new Set<{ q: Filter; fn: (h: StoredHandshake) => void }>();
  lastFingerprintQuery: FingerprintQuery | undefined;
  lastHandshakeQuery: HandshakeQuery | undefined;
  lastSubscribeQuery: Filter | undefined;
  private seq = 0;

  private native: NativeAggregates | undefined;

  /** Batches are drained into it, then counted here from their records (ingestBatch). */
  get aggregates(): NativeAggregates {
    this.native ??= new addon.Aggregates();
    return this.native;
  }

  ingestBatch(batch: RecordBatch): void {
    const got = this.aggregates.recentRecords(batch.first, batch.first + batch.n);
    this.ingest(got.map(([, r]) => r));
  }

  ingest(records: readonly TlsfpRecord[]): void {
    for (const r of records) {
      const h = { seq: ++this.seq, record: r };
      this.history.push(h);
      const keys: [FingerprintKind, string | null][] = [
        ["ja4", r.ja4],
        ["ja3", r.ja3.hash],
        ["ja3s", r.ja3s?.hash ?? null],
        ["sni", r.sni],
      ];
      for (const [kind, value] of keys) if (value !== null) this.bump(kind, value, r);
      for (const s of this.subscribers) if (matches(s.q, r)) s.fn(h);
    }
  }

  private bump(kind: FingerprintKind, value: string, r: TlsfpRecord): void {
    const key = `${kind}:${value}`;
    let a = this.aggs.get(key);
    const t = tsMs(r);
    if (!a) {
      a = {
        kind,
        value,
        firstSeen: t,
        lastSeen: t,
        count: 0,
        distinctClients: 0,
        distinctServers: 0,
        distinctSnis: 0,
        alpn: {},
        tcp: 0,
        quic: 0,
        dtls: 0,
        clients: new Map(),
        servers: new Set(),
        snis: new Map(),
      };
      this.aggs.set(key, a);
    }
    a.count++;
    a.firstSeen = Math.min(a.firstSeen, t);
    a.lastSeen = Math.max(a.lastSeen, t);
    a.clients.set(r.srcIp, (a.clients.get(r.srcIp) ?? 0) + 1);
    a.servers.add(r.destIp);
    if (r.sni !== null) a.snis.set(r.sni, (a.snis.get(r.sni) ?? 0) + 1);
    a.distinctClients = a.clients.size;
    a.distinctServers = a.servers.size;
    a.distinctSnis = a.snis.size;
    const alpn = r.clientAlpns[0] ?? "";
    a.alpn[alpn] = (a.alpn[alpn] ?? 0) + 1;
    a[r.transport]++;
  }

  private plain(a: Agg): FingerprintAggregate {
    const label = this.labels.get(`${a.kind}:${a.value}`);
    return {
      kind: a.kind,
      value: a.value,
      firstSeen: a.firstSeen,
      lastSeen: a.lastSeen,
      count: a.count,
      distinctClients: a.distinctClients,
      distinctServers: a.distinctServers,
      distinctSnis: a.distinctSnis,
      alpn: { ...a.alpn },
      tcp: a.tcp,
      quic: a.quic,
      dtls: a.dtls,
      ...(label ? { label } : {}),
    };
  }

  queryFingerprints(q: FingerprintQuery): Page<FingerprintAggregate> {
    this.lastFingerprintQuery = q;
    let xs = [...this.aggs.values()].filter(
      (a) =>
        (q.kind === undefined || a.kind === q.kind) &&
        (q.value === undefined || a.value === q.value) &&
        (q.prefix === undefined || a.value.startsWith(q.prefix)) &&
        (q.ja4Section === undefined ||
          a.value.split("_")["abc".indexOf(q.ja4Section.section)] === q.ja4Section.value) &&
        (q.sni === undefined || a.snis.has(q.sni)) &&
        (q.since === undefined || a.lastSeen >= q.since) &&
        (q.until === undefined || a.firstSeen <= q.until),
    );
    const field = q.sort ?? "count";
    const dir = (q.order ?? "desc") === "desc" ? -1 : 1;
    xs = xs.sort((x, y) => {
      const a = x[field];
      const b = y[field];
      return (a < b ? -1 : a > b ? 1 : 0) * dir || (x.value < y.value ? -1 : 1);
    });
    return {
      items: xs.slice(q.offset, q.offset + q.limit).map((a) => this.plain(a)),
      total: xs.length,
      limit: q.limit,
      offset: q.offset,
    };
  }

  getFingerprint(value: string): FingerprintDetail | null {
    const a = ["ja4", "ja3", "ja3s", "sni"]
      .map((k) => this.aggs.get(`${k}:${value}`))
      .find((x) => x !== undefined);
    if (!a) return null;
    const top = (m: Map<string, number>) =>
      [...m.entries()]
        .sort((x, y) => y[1] - x[1])
        .slice(0, 10)
        .map(([v, count]) => ({ value: v, count }));
    return { ...this.plain(a), topSnis: top(a.snis), topClients: top(a.clients) };
  }

  recentHandshakes(q: HandshakeQuery): Page<StoredHandshake> {
    this.lastHandshakeQuery = q;
    const xs = this.history.filter((h) => matches(q, h.record)).reverse();
    return {
      items: xs.slice(q.offset, q.offset + q.limit),
      total: xs.length,
      limit: q.limit,
      offset: q.offset,
    };
  }

  subscribe(q: Filter, fn: (h: StoredHandshake) => void): () => void {
    this.lastSubscribeQuery = q;
    const s = { q, fn };
    this.subscribers.add(s);
    return () => {
      this.subscribers.delete(s);
    };
  }

  putLabels(labels: { kind: FingerprintKind; value: string; label: FingerprintLabel }[]): number {
    for (const l of labels) this.labels.set(`${l.kind}:${l.value}`, l.label);
    return labels.length;
  }

  stats(): StoreStats {
    const aggregates: Record<FingerprintKind, number> = {
      ja4: 0,
      ja3: 0,
      ja3s: 0,
      sni: 0,
      ja4_sni: 0,
    };
    for (const a of this.aggs.values()) aggregates[a.kind]++;
    return {
      ingested: this.seq,
      historyRows: this.history.length,
      historySkipped: 0,
      aggregates,
      lastFlush: 0,
    };
  }

  flush(): void {}
  close(): void {
    this.subscribers.clear();
  }
}
