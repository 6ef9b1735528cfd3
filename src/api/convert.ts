/**
 * Between the API's wire form (snake_case, query strings) and the store's
 * contract (src/store/types.ts). Pure functions.
 */
import { toEve } from "../export/eve.js";
import type {
  FingerprintAggregate,
  FingerprintDetail,
  FingerprintQuery,
  HandshakeQuery,
  SortField,
  StoredHandshake,
  StoreStats,
} from "../store/types.js";
import { badRequest } from "./errors.js";
import type {
  FingerprintsQueryT,
  FingerprintT,
  HandshakesQueryT,
  HandshakeT,
  StatsT,
  StreamQueryT,
} from "./schemas.js";
import type { RuntimeStats } from "./types.js";

export const DEFAULT_LIMIT = 100;

/** "1795247940123" (Unix ms) or an ISO 8601 date-time → Unix ms; else a 400 naming the parameter. */
export function parseTime(parameter: string, value: string): number {
  if (/^\d{1,15}$/.test(value)) return Number(value);
  // An ISO date, optionally with a time and zone; Date.parse alone accepts too much.
  if (/^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) {
    const ms = Date.parse(value);
    if (Number.isFinite(ms) && ms >= 0) return ms;
  }
  throw badRequest(parameter, "must be Unix milliseconds or an ISO 8601 date-time");
}

function timeRange(q: { since?: string; until?: string }): { since?: number; until?: number } {
  const out: { since?: number; until?: number } = {};
  if (q.since !== undefined) out.since = parseTime("querystring/since", q.since);
  if (q.until !== undefined) out.until = parseTime("querystring/until", q.until);
  if (out.since !== undefined && out.until !== undefined && out.since > out.until) {
    throw badRequest("querystring/until", "must not be before querystring/since");
  }
  return out;
}

const JA3_RE = /^[0-9a-f]{32}$/;
/** JA4 a_b_c: t/q/d, version, d/i, 2+2 digits, 2 ALPN characters; b and c 12 hex each. */
const JA4_A_RE = /^[tqd][0-9a-z]{2}[di]\d{4}[0-9a-zA-Z]{2}$/;
const JA4_HASH_RE = /^[0-9a-f]{12}$/;
const JA4_RE = /^[tqd][0-9a-z]{2}[di]\d{4}[0-9a-zA-Z]{2}_[0-9a-f]{12}_[0-9a-f]{12}$/;

export type DetectedKind = "ja3" | "ja4";

/** GET /fingerprints/:value: JA3/JA3S (32 hex) or JA4 (36 characters); else a 400. */
export function detectFingerprint(raw: string): { kind: DetectedKind; value: string } {
  const lower = raw.toLowerCase();
  if (JA3_RE.test(lower)) return { kind: "ja3", value: lower };
  if (raw.length === 36 && JA4_RE.test(raw)) return { kind: "ja4", value: raw };
  throw badRequest(
    "params/value",
    "must be a JA3/JA3S fingerprint (32 hex digits) or a JA4 fingerprint (36 characters, a_b_c)",
  );
}

const SORT: Record<NonNullable<FingerprintsQueryT["sort"]>, SortField> = {
  count: "count",
  last_seen: "lastSeen",
  first_seen: "firstSeen",
  value: "value",
};

/** GET /fingerprints query string → store query. */
export function fingerprintQuery(q: FingerprintsQueryT): FingerprintQuery {
  const out: FingerprintQuery = { limit: q.limit ?? DEFAULT_LIMIT, offset: q.offset ?? 0 };
  if (q.type !== undefined) out.kind = q.type;
  if (q.value !== undefined) out.value = q.value;
  if (q.prefix !== undefined) out.prefix = q.prefix;
  if (q.value !== undefined && q.prefix !== undefined) {
    throw badRequest("querystring/prefix", "cannot be combined with querystring/value");
  }
  const sections = (["a", "b", "c"] as const).filter((s) => q[`ja4_${s}`] !== undefined);
  if (sections.length > 1) {
    throw badRequest(
      `querystring/ja4_${sections[1]}`,
      "cannot be combined with another JA4 section",
    );
  }
  const section = sections[0];
  if (section !== undefined) {
    const param = `querystring/ja4_${section}`;
    const value = q[`ja4_${section}`] ?? "";
    const ok = section === "a" ? JA4_A_RE.test(value) : JA4_HASH_RE.test(value);
    if (!ok) {
      throw badRequest(
        param,
        section === "a"
          ? "must be a JA4 part a (10 characters, e.g. t13d1516h2)"
          : "must be 12 lower-case hex digits",
      );
    }
    if (q.type !== undefined && q.type !== "ja4" && q.type !== "ja4_sni") {
      throw badRequest(param, `cannot be used with querystring/type=${q.type}`);
    }
    out.kind ??= "ja4";
    out.ja4Section = { section, value };
  }
  if (q.sni !== undefined) out.sni = q.sni;
  Object.assign(out, timeRange(q));
  if (q.sort !== undefined) out.sort = SORT[q.sort];
  if (q.order !== undefined) out.order = q.order;
  return out;
}

/** Handshake filters (shared by the page and the stream). */
export function handshakeFilter(q: StreamQueryT): Omit<HandshakeQuery, "limit" | "offset"> {
  const out: Omit<HandshakeQuery, "limit" | "offset"> = {};
  if (q.ja4 !== undefined) out.ja4 = q.ja4;
  if (q.ja3 !== undefined) out.ja3 = q.ja3.toLowerCase();
  if (q.ja3s !== undefined) out.ja3s = q.ja3s.toLowerCase();
  if (q.sni !== undefined) out.sni = q.sni;
  if (q.client_ip !== undefined) out.clientIp = q.client_ip;
  if (q.server_ip !== undefined) out.serverIp = q.server_ip;
  if (q.transport !== undefined) out.transport = q.transport;
  return Object.assign(out, timeRange(q));
}

export function handshakeQuery(q: HandshakesQueryT): HandshakeQuery {
  return { ...handshakeFilter(q), limit: q.limit ?? DEFAULT_LIMIT, offset: q.offset ?? 0 };
}

const counts = (xs: { value: string; count: number }[]) =>
  xs.map((x) => ({ value: x.value, count: x.count }));

/** Store aggregate (or detail) → API JSON. */
export function fingerprintJson(a: FingerprintAggregate | FingerprintDetail): FingerprintT {
  const out: FingerprintT = {
    kind: a.kind,
    value: a.value,
    first_seen: a.firstSeen,
    last_seen: a.lastSeen,
    count: a.count,
    distinct_clients: a.distinctClients,
    distinct_servers: a.distinctServers,
    distinct_snis: a.distinctSnis,
    alpn: { ...a.alpn },
    tcp: a.tcp,
    quic: a.quic,
    dtls: a.dtls,
  };
  if (a.label) {
    out.label = { application: a.label.application, source: a.label.source };
    if (a.label.notes !== undefined) out.label.notes = a.label.notes;
  }
  if ("topSnis" in a) {
    out.top_snis = counts(a.topSnis);
    out.top_clients = counts(a.topClients);
  }
  return out;
}

/** A stored handshake → its EVE event plus seq. */
export function handshakeJson(h: StoredHandshake): HandshakeT {
  return { seq: h.seq, ...toEve(h.record) };
}

export function statsJson(rt: RuntimeStats, store: StoreStats, api: StatsT["api"]): StatsT {
  const dp = rt.dataplane;
  return {
    dataplane: {
      running: dp.running,
      restarts: dp.restarts,
      heartbeat_age_ms: dp.heartbeatAgeMs,
      counters: { ...dp.counters },
      ring_depth: dp.ringDepth,
      cycles_per_packet: dp.cyclesPerPacket ?? null,
      drops: dp.drops,
    },
    ingest: {
      records: rt.ingest.records,
      batches: rt.ingest.batches,
      errors: rt.ingest.errors,
      last_batch_at: rt.ingest.lastBatchAt,
    },
    store: {
      ingested: store.ingested,
      history_rows: store.historyRows,
      history_skipped: store.historySkipped,
      aggregates: { ...store.aggregates },
      last_flush: store.lastFlush,
    },
    api,
  };
}
