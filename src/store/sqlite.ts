/**
 * SQLite persistence of the store (better-sqlite3, WAL): aggregates, a bounded
 * history of recent handshakes and user labels.
 *
 * Write-behind: ingest only touches memory; flush() writes the dirty
 * aggregates and the new history rows in ONE transaction, then applies the
 * retention. A killed process therefore loses at most what was ingested since
 * the last flush (flushIntervalMs); close() flushes.
 */
import Database from "better-sqlite3";
import {
  type NativeAggregateRows,
  type NativeAggregates,
  RECORD_ABI,
  type TlsfpRecord,
} from "../addon/native.js";
import type {
  FingerprintKind,
  FingerprintLabel,
  HandshakeQuery,
  StoredHandshake,
} from "./types.js";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS aggregates (
  kind TEXT NOT NULL, value TEXT NOT NULL,
  first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, count INTEGER NOT NULL,
  tcp INTEGER NOT NULL, quic INTEGER NOT NULL, dtls INTEGER NOT NULL,
  distinct_clients INTEGER NOT NULL, distinct_servers INTEGER NOT NULL, distinct_snis INTEGER NOT NULL,
  alpn TEXT NOT NULL, clients BLOB NOT NULL, servers BLOB NOT NULL, snis BLOB,
  PRIMARY KEY (kind, value)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS history (
  seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL,
  ja4 TEXT NOT NULL, ja3 TEXT NOT NULL, ja3s TEXT, sni TEXT,
  client TEXT NOT NULL, server TEXT NOT NULL, transport TEXT NOT NULL,
  record TEXT NOT NULL
);
-- Only ts is indexed (retention): the history is bounded (historyMax), a filtered
-- query scans it newest first by seq, and every further index would cost each insert.
CREATE INDEX IF NOT EXISTS history_ts ON history (ts);
CREATE TABLE IF NOT EXISTS labels (
  kind TEXT NOT NULL, value TEXT NOT NULL,
  application TEXT NOT NULL, source TEXT NOT NULL, notes TEXT,
  PRIMARY KEY (kind, value)
) WITHOUT ROWID;
`;

interface AggRow {
  kind: FingerprintKind;
  value: string;
  first_seen: number;
  last_seen: number;
  count: number;
  tcp: number;
  quic: number;
  dtls: number;
  distinct_clients: number;
  distinct_servers: number;
  distinct_snis: number;
  alpn: string;
  /**
   * Distinct sets: the member hashes (int32 LE), or 0xff then the 1024
   * HyperLogLog registers (a members blob is a multiple of 4 long).
   */
  clients: Buffer;
  servers: Buffer;
  snis: Buffer | null;
}

/** Changed aggregates of one kind, as the addon gives them (NativeAggregates.rows). */
export interface AggregateRows {
  kind: FingerprintKind;
  rows: NativeAggregateRows;
}

/**
 * Row i's ALPN mix as stored: the JSON text of row()'s alpn object
 * (NativeAggregates.row), which the addon builds by setting name → count in
 * order. Most mixes have one name: that text is written directly (a JSON
 * key is quoted as JSON.stringify quotes a string); others, and a
 * "__proto__" (which setting on an object ignores), go through the same
 * object as before. quoted[p]: JSON.stringify(rows.alpnNames[p]).
 */
function alpnJson(r: NativeAggregateRows, i: number, quoted: readonly string[]): string {
  const from = r.alpnOffsets[i] as number;
  const to = r.alpnOffsets[i + 1] as number;
  if (to - from === 1) {
    const name = r.alpnName[from] as number;
    const count = r.alpnCount[from] as number;
    if (Number.isFinite(count) && r.alpnNames[name] !== "__proto__") {
      return `{${quoted[name]}:${count}}`;
    }
  }
  const mix: Record<string, number> = {};
  for (let e = from; e < to; e++) {
    mix[r.alpnNames[r.alpnName[e] as number] as string] = r.alpnCount[e] as number;
  }
  return JSON.stringify(mix);
}

/** A record as JSON: tsNs (bigint) as a decimal string. */
export function recordToJson(r: TlsfpRecord): string {
  return JSON.stringify({ ...r, tsNs: r.tsNs.toString() });
}

export function recordFromJson(s: string): TlsfpRecord {
  const o = JSON.parse(s) as TlsfpRecord & { tsNs: string };
  return { ...o, tsNs: BigInt(o.tsNs) };
}

/**
 * A history row: the columns queries filter on, and the record, as JSON
 * text (ingested as an object) or packed bytes (ingested in a RecordBatch;
 * read back with the addon's unpackRecord).
 */
export interface HistoryRow {
  /** Ingest sequence number (the row's key). */
  seq: number;
  ts: number;
  ja4: string;
  ja3: string;
  ja3s: string | null;
  sni: string | null;
  client: string;
  server: string;
  transport: string;
  record: string | Uint8Array;
}

export class SqliteBackend {
  readonly db: Database.Database;
  private readonly upsertAgg: Database.Statement;
  private readonly insertHist: Database.Statement;
  private readonly pruneAge: Database.Statement;
  private readonly pruneCount: Database.Statement;
  private readonly setMeta: Database.Statement;
  private readonly upsertLabel: Database.Statement;

  /**
   * unpack: packed record bytes → record (the addon's unpackRecord), for
   * history rows written from batches.
   */
  constructor(
    path: string,
    private readonly unpack: (packed: Uint8Array) => TlsfpRecord,
  ) {
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.exec(SCHEMA);
    this.dropUnreadableHistory();
    // Positional parameters: binding by name looks up 15 properties per row.
    this.upsertAgg = this.db.prepare(
      "INSERT OR REPLACE INTO aggregates VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    this.insertHist = this.db.prepare(
      "INSERT OR REPLACE INTO history VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    this.pruneAge = this.db.prepare("DELETE FROM history WHERE ts < ?");
    this.pruneCount = this.db.prepare("DELETE FROM history WHERE seq <= ?");
    this.setMeta = this.db.prepare("INSERT OR REPLACE INTO meta VALUES (?, ?)");
    this.upsertLabel = this.db.prepare("INSERT OR REPLACE INTO labels VALUES (?, ?, ?, ?, ?)");
  }

  /**
   * Packed history rows are tied to the record ABI that wrote them: after an
   * upgrade that changed it, those rows are dropped (the aggregates stay).
   */
  private dropUnreadableHistory(): void {
    const abi = String(RECORD_ABI);
    const stored = this.meta("record_abi");
    if (stored !== abi) {
      if (stored !== undefined)
        this.db.prepare("DELETE FROM history WHERE typeof(record) = 'blob'").run();
      this.db.prepare("INSERT OR REPLACE INTO meta VALUES ('record_abi', ?)").run(abi);
    }
  }

  meta(key: string): string | undefined {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as
      | { value: string }
      | undefined;
    return row?.value;
  }

  /** Loads every stored aggregate into aggs; returns the newest lastSeen. */
  loadAggregates(aggs: NativeAggregates): number {
    let newest = 0;
    for (const r of this.db.prepare("SELECT * FROM aggregates").iterate() as Iterable<AggRow>) {
      aggs.restore(r.kind, {
        value: r.value,
        firstSeen: r.first_seen,
        lastSeen: r.last_seen,
        count: r.count,
        tcp: r.tcp,
        quic: r.quic,
        dtls: r.dtls,
        alpn: JSON.parse(r.alpn) as Record<string, number>,
        distinctClients: r.distinct_clients,
        distinctServers: r.distinct_servers,
        distinctSnis: r.distinct_snis,
        clients: r.clients,
        servers: r.servers,
        snis: r.snis,
      });
      if (r.last_seen > newest) newest = r.last_seen;
    }
    return newest;
  }

  loadLabels(): { kind: FingerprintKind; value: string; label: FingerprintLabel }[] {
    const rows = this.db.prepare("SELECT * FROM labels").all() as {
      kind: FingerprintKind;
      value: string;
      application: string;
      source: string;
      notes: string | null;
    }[];
    return rows.map((r) => {
      const label: FingerprintLabel = { application: r.application, source: r.source };
      if (r.notes !== null) label.notes = r.notes;
      return { kind: r.kind, value: r.value, label };
    });
  }

  putLabels(labels: { kind: FingerprintKind; value: string; label: FingerprintLabel }[]): void {
    this.db.transaction(() => {
      for (const l of labels) {
        this.upsertLabel.run(
          l.kind,
          l.value,
          l.label.application,
          l.label.source,
          l.label.notes ?? null,
        );
      }
    })();
  }

  /** Upserts a batch of aggregate rows (in the caller's transaction). */
  private upsertRows({ kind, rows: r }: AggregateRows): void {
    const quoted = r.alpnNames.map((n) => JSON.stringify(n));
    // The sni and ja4_sni kinds store no SNI set (NULL).
    const snis = kind === "ja4" || kind === "ja3" || kind === "ja3s";
    const b = r.blobs;
    const off = r.blobOffsets;
    for (let i = 0; i < r.ids.length; i++) {
      const o = 3 * i;
      this.upsertAgg.run(
        kind,
        r.values[i],
        r.firstSeen[i],
        r.lastSeen[i],
        r.count[i],
        r.tcp[i],
        r.quic[i],
        r.dtls[i],
        r.distinctClients[i],
        r.distinctServers[i],
        r.distinctSnis[i],
        alpnJson(r, i, quoted),
        b.subarray(off[o], off[o + 1]),
        b.subarray(off[o + 1], off[o + 2]),
        snis ? b.subarray(off[o + 2], off[o + 3]) : null,
      );
    }
  }

  /**
   * One transaction: new history rows (each chunk `history()` gives until it
   * says null), aggregates (each batch `aggregates()` gives until it says
   * null), counters, then retention (rows older than `minTs`, and all but
   * the newest `historyMax`).
   */
  flush(
    aggregates: () => AggregateRows | null,
    history: () => readonly HistoryRow[] | null,
    meta: Record<string, string>,
    minTs: number,
    historyMax: number,
  ): void {
    this.db.transaction(() => {
      for (let rows = history(); rows !== null; rows = history()) {
        for (const r of rows)
          this.insertHist.run(
            r.seq,
            r.ts,
            r.ja4,
            r.ja3,
            r.ja3s,
            r.sni,
            r.client,
            r.server,
            r.transport,
            r.record,
          );
      }
      for (let batch = aggregates(); batch !== null; batch = aggregates()) this.upsertRows(batch);
      for (const [k, v] of Object.entries(meta)) this.setMeta.run(k, v);
      this.pruneAge.run(minTs);
      const newest = this.db.prepare("SELECT MAX(seq) AS s FROM history").get() as {
        s: number | null;
      };
      if (newest.s !== null) this.pruneCount.run(newest.s - historyMax);
    })();
  }

  /** Most frequent values of `col` (client or sni) in the history rows matching `where`. */
  topInHistory(
    col: "client" | "sni",
    where: { ja4?: string; ja3?: string; ja3s?: string; sni?: string | null },
    n: number,
  ): { value: string; count: number }[] {
    const cond: string[] = [`${col} IS NOT NULL`];
    const args: string[] = [];
    for (const [k, v] of Object.entries(where)) {
      if (v === undefined) continue;
      if (v === null) cond.push(`${k} IS NULL`);
      else {
        cond.push(`${k} = ?`);
        args.push(v);
      }
    }
    return this.db
      .prepare(
        `SELECT ${col} AS value, COUNT(*) AS count FROM history WHERE ${cond.join(" AND ")}
         GROUP BY ${col} ORDER BY count DESC, value LIMIT ?`,
      )
      .all(...args, n) as { value: string; count: number }[];
  }

  historyCount(): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM history").get() as { n: number }).n;
  }

  queryHistory(q: HandshakeQuery): { items: StoredHandshake[]; total: number } {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const eq = (col: string, v: string | undefined) => {
      if (v !== undefined) {
        where.push(`${col} = ?`);
        args.push(v);
      }
    };
    eq("ja4", q.ja4);
    eq("ja3", q.ja3);
    eq("ja3s", q.ja3s);
    eq("sni", q.sni);
    eq("client", q.clientIp);
    eq("server", q.serverIp);
    eq("transport", q.transport);
    if (q.since !== undefined) {
      where.push("ts >= ?");
      args.push(q.since);
    }
    if (q.until !== undefined) {
      where.push("ts <= ?");
      args.push(q.until);
    }
    const w = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
    const total = (
      this.db.prepare(`SELECT COUNT(*) AS n FROM history ${w}`).get(...args) as { n: number }
    ).n;
    const rows = this.db
      .prepare(`SELECT seq, record FROM history ${w} ORDER BY seq DESC LIMIT ? OFFSET ?`)
      .all(...args, q.limit, q.offset) as { seq: number; record: string | Buffer }[];
    const items = rows.map((r) => ({
      seq: r.seq,
      record: typeof r.record === "string" ? recordFromJson(r.record) : this.unpack(r.record),
    }));
    return { items, total };
  }

  close(): void {
    this.db.close();
  }
}
