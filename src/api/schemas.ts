/**
 * The one definition of every request and response of the query API:
 * fastify validates requests and serializes responses with these, the
 * OpenAPI document at /docs is generated from them, and the TS types below
 * are derived from them. The JSON field names are also the field names of
 * proto/tlsfp.proto, so a response object encodes to either form.
 */
import { type Static, Type } from "@sinclair/typebox";

/** A string enum as JSON Schema `enum` (one clear ajv error listing the allowed values). */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  opts: { description?: string } = {},
) {
  return Type.Unsafe<T[number]>({ type: "string", enum: [...values], ...opts });
}

const UInt = (description?: string) =>
  Type.Integer({ minimum: 0, ...(description ? { description } : {}) });

export const FingerprintKind = StringEnum(["ja4", "ja3", "ja3s", "sni", "ja4_sni"], {
  description: "What the aggregate is keyed by; ja4_sni values are `<ja4>|<sni>`.",
});

/** Unix ms or ISO 8601; parsed by parseTime() so a bad one gets a 400 naming it. */
const TimeParam = (what: string) =>
  Type.String({
    minLength: 1,
    maxLength: 40,
    description: `${what}: Unix milliseconds or an ISO 8601 date-time.`,
  });

const Limit = Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: "Page size." });
const Offset = Type.Integer({
  minimum: 0,
  maximum: 10_000_000,
  default: 0,
  description: "Items to skip.",
});

export const ErrorBody = Type.Object(
  {
    error: Type.String({ description: "HTTP status text, e.g. Bad Request." }),
    message: Type.String(),
    parameter: Type.Optional(
      Type.String({ description: "The offending input, e.g. querystring/limit." }),
    ),
  },
  { title: "ErrorBody" },
);

/* ---------- fingerprints ---------- */

export const Label = Type.Object({
  application: Type.String(),
  source: Type.String({ description: 'tlsfp (shipped), a label file name, or "user".' }),
  notes: Type.Optional(Type.String()),
});

const CountItem = Type.Object({ value: Type.String(), count: UInt() });

export const Fingerprint = Type.Object(
  {
    kind: FingerprintKind,
    value: Type.String(),
    first_seen: UInt("Unix ms of the first handshake."),
    last_seen: UInt("Unix ms of the last handshake."),
    count: UInt("Handshakes."),
    distinct_clients: UInt(),
    distinct_servers: UInt(),
    distinct_snis: UInt(),
    alpn: Type.Record(Type.String(), UInt(), {
      description: 'First client ALPN ("" for none) to count.',
    }),
    tcp: UInt(),
    quic: UInt(),
    dtls: UInt(),
    label: Type.Optional(Label),
    top_snis: Type.Optional(Type.Array(CountItem, { description: "Most frequent first." })),
    top_clients: Type.Optional(Type.Array(CountItem, { description: "Most frequent first." })),
  },
  { title: "Fingerprint" },
);

export const FingerprintPage = Type.Object(
  {
    items: Type.Array(Fingerprint),
    total: UInt("Matching items in all pages."),
    limit: UInt(),
    offset: UInt(),
  },
  { title: "FingerprintPage" },
);

export const SortField = StringEnum(["count", "last_seen", "first_seen", "value"]);

export const FingerprintsQuery = Type.Object(
  {
    type: Type.Optional(FingerprintKind),
    value: Type.Optional(
      Type.String({ minLength: 1, maxLength: 300, description: "Exact value." }),
    ),
    prefix: Type.Optional(
      Type.String({ minLength: 1, maxLength: 300, description: "Value prefix." }),
    ),
    ja4_a: Type.Optional(
      Type.String({ minLength: 10, maxLength: 10, description: "JA4 part a, e.g. t13d1516h2." }),
    ),
    ja4_b: Type.Optional(
      Type.String({ minLength: 12, maxLength: 12, description: "JA4 part b (12 hex)." }),
    ),
    ja4_c: Type.Optional(
      Type.String({ minLength: 12, maxLength: 12, description: "JA4 part c (12 hex)." }),
    ),
    sni: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    since: Type.Optional(TimeParam("Last seen at or after")),
    until: Type.Optional(TimeParam("First seen at or before")),
    sort: Type.Optional(SortField),
    order: Type.Optional(StringEnum(["asc", "desc"])),
    limit: Type.Optional(Limit),
    offset: Type.Optional(Offset),
  },
  { additionalProperties: false },
);

export const FingerprintParams = Type.Object({
  value: Type.String({
    minLength: 1,
    maxLength: 300,
    description: "A JA3 or JA3S (32 hex digits) or a JA4 (36 characters).",
  }),
});

/* ---------- handshakes (EVE events) ---------- */

const Hashed = Type.Object({ hash: Type.String(), string: Type.String() });

export const EveTls = Type.Object({
  sni: Type.Optional(Type.String()),
  version: Type.String(),
  client_alpns: Type.Optional(Type.Array(Type.String())),
  server_alpns: Type.Optional(Type.Array(Type.String())),
  ja3: Hashed,
  ja3s: Type.Optional(Hashed),
  ja4: Type.String(),
  client_handshake: Type.Object({
    version: UInt(),
    ciphers: Type.Array(UInt()),
    exts: Type.Array(UInt()),
    sig_algs: Type.Array(UInt()),
  }),
});

export const Handshake = Type.Object(
  {
    seq: UInt("Store ingest sequence number."),
    timestamp: Type.String(),
    flow_id: UInt(),
    event_type: Type.Union([Type.Literal("tls"), Type.Literal("quic")]),
    src_ip: Type.String(),
    src_port: UInt(),
    dest_ip: Type.String(),
    dest_port: UInt(),
    proto: Type.Union([Type.Literal("TCP"), Type.Literal("UDP")]),
    app_proto: Type.Union([Type.Literal("tls"), Type.Literal("quic")]),
    vlan: Type.Optional(Type.Array(UInt())),
    tls: Type.Optional(EveTls),
    quic: Type.Optional(EveTls),
    tlsfp: Type.Object({
      ja4_r: Type.String(),
      ja4_o: Type.String(),
      ja4_ro: Type.String(),
      reason: Type.String(),
      flags: Type.Array(Type.String()),
    }),
  },
  {
    title: "Handshake",
    description: "A Suricata-compatible EVE event (docs/output.md) plus `seq`.",
  },
);

export const HandshakePage = Type.Object(
  {
    items: Type.Array(Handshake),
    total: UInt(),
    limit: UInt(),
    offset: UInt(),
  },
  { title: "HandshakePage" },
);

const handshakeFilters = {
  ja4: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  ja3: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  ja3s: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  sni: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
  client_ip: Type.Optional(Type.String({ minLength: 2, maxLength: 45 })),
  server_ip: Type.Optional(Type.String({ minLength: 2, maxLength: 45 })),
  transport: Type.Optional(StringEnum(["tcp", "quic", "dtls"])),
  since: Type.Optional(TimeParam("At or after")),
  until: Type.Optional(TimeParam("At or before")),
};

export const HandshakesQuery = Type.Object(
  { ...handshakeFilters, limit: Type.Optional(Limit), offset: Type.Optional(Offset) },
  { additionalProperties: false },
);

export const StreamQuery = Type.Object(handshakeFilters, { additionalProperties: false });

/* ---------- labels ---------- */

export const LabelsBody = Type.Object(
  {
    labels: Type.Array(
      Type.Object(
        {
          kind: FingerprintKind,
          value: Type.String({ minLength: 1, maxLength: 300 }),
          application: Type.String({ minLength: 1, maxLength: 200 }),
          notes: Type.Optional(Type.String({ maxLength: 2000 })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 10_000 },
    ),
  },
  { additionalProperties: false },
);

export const LabelsReply = Type.Object({ stored: UInt("Labels added or replaced.") });

/* ---------- stats, health ---------- */

export const Stats = Type.Object(
  {
    dataplane: Type.Object({
      running: Type.Boolean(),
      restarts: UInt(),
      heartbeat_age_ms: Type.Union([Type.Number(), Type.Null()]),
      counters: Type.Record(Type.String(), UInt()),
      ring_depth: UInt(),
      drops: UInt(),
      cycles_per_packet: Type.Union([Type.Number(), Type.Null()]),
    }),
    ingest: Type.Object({
      records: UInt(),
      batches: UInt(),
      errors: UInt(),
      last_batch_at: UInt("Unix ms, 0 if none yet."),
    }),
    store: Type.Object({
      ingested: UInt(),
      history_rows: UInt(),
      history_skipped: UInt(
        "Handshakes that never reached the history: left out by a time-limited flush under load, or pushed out of the recent ring first.",
      ),
      aggregates: Type.Record(Type.String(), UInt()),
      last_flush: UInt("Unix ms, 0 if none yet."),
    }),
    api: Type.Object({
      stream_clients: UInt("Open /handshakes/stream connections."),
      stream_dropped: UInt("Events dropped for slow stream clients."),
    }),
  },
  { title: "Stats" },
);

export const Health = Type.Object({
  status: Type.Union([Type.Literal("ok"), Type.Literal("degraded")]),
  dataplane: Type.Boolean({ description: "The data plane is running." }),
  uptime_s: Type.Number(),
});

export type FingerprintT = Static<typeof Fingerprint>;
export type FingerprintPageT = Static<typeof FingerprintPage>;
export type FingerprintsQueryT = Static<typeof FingerprintsQuery>;
export type HandshakeT = Static<typeof Handshake>;
export type HandshakePageT = Static<typeof HandshakePage>;
export type HandshakesQueryT = Static<typeof HandshakesQuery>;
export type StreamQueryT = Static<typeof StreamQuery>;
export type StatsT = Static<typeof Stats>;
