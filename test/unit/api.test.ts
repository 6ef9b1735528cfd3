import type { FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildApp } from "../../src/api/app.js";
import type { RuntimeStats } from "../../src/api/types.js";
import { createMetrics } from "../../src/metrics/registry.js";
import { FakeStore } from "../helpers/fake-store.js";
import { fakeRecord } from "../helpers/record.js";

const CHROME = "t13d1516h2_8daaf6152771_e5627efa2ab1";
const CURL = "t13d3112h2_e8f1e7e78f70_6bebaf5329ac";
const QUIC = "q13d0312h3_55b375c5d22e_06cda9e17597";
const TOKEN = "s3cret-token";

const stats: RuntimeStats = {
  dataplane: {
    running: true,
    restarts: 2,
    heartbeatAgeMs: 120,
    counters: { packets: 1000, handshakes: 7, reassembly_timeout: 3 },
    ringDepth: 5,
    drops: 1,
    cyclesPerPacket: 412.5,
  },
  ingest: { records: 7, batches: 3, errors: 0, lastBatchAt: 1_795_247_940_000 },
};

function seed(store: FakeStore): void {
  const base = 1_795_247_940_000_000_000n;
  store.ingest([
    fakeRecord({ ja4: CHROME, sni: "a.example", srcIp: "10.0.0.1", tsNs: base }),
    fakeRecord({ ja4: CHROME, sni: "b.example", srcIp: "10.0.0.2", tsNs: base + 1_000_000_000n }),
    fakeRecord({ ja4: CHROME, sni: "a.example", srcIp: "10.0.0.1", tsNs: base + 2_000_000_000n }),
    fakeRecord({
      ja4: CURL,
      sni: "c.example",
      ja3: { hash: "e7d705a3286e19ea42f587b344ee6865", string: "771,4865,0-23,29,0" },
      tsNs: base + 3_000_000_000n,
    }),
    fakeRecord({
      ja4: QUIC,
      transport: "quic",
      proto: "UDP",
      sni: "q.example",
      tsNs: base + 4_000_000_000n,
    }),
  ]);
}

let store: FakeStore;
let app: FastifyInstance;

beforeEach(async () => {
  store = new FakeStore();
  seed(store);
  app = await buildApp({ store, stats: () => stats, token: TOKEN, metrics: createMetrics() });
});
afterEach(async () => {
  await app.close();
});

async function get(url: string, headers: Record<string, string> = {}) {
  return app.inject({ method: "GET", url, headers });
}

describe("GET /api/v1/fingerprints", () => {
  it("lists aggregates sorted by count with pagination", async () => {
    const r = await get("/api/v1/fingerprints?type=ja4&limit=2");
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.total).toBe(3);
    expect(body.limit).toBe(2);
    expect(body.offset).toBe(0);
    expect(body.items).toHaveLength(2);
    expect(body.items[0]).toMatchObject({
      kind: "ja4",
      value: CHROME,
      count: 3,
      distinct_clients: 2,
      distinct_snis: 2,
      tcp: 3,
      quic: 0,
      dtls: 0,
      alpn: { h2: 3 },
    });
    expect(store.lastFingerprintQuery).toEqual({ kind: "ja4", limit: 2, offset: 0 });

    const page2 = (await get("/api/v1/fingerprints?type=ja4&limit=2&offset=2")).json();
    expect(page2.items).toHaveLength(1);
    expect(page2.offset).toBe(2);
    expect(page2.total).toBe(3);
  });

  it("sorts by the requested field and order", async () => {
    const body = (await get("/api/v1/fingerprints?type=ja4&sort=value&order=asc")).json();
    expect(body.items.map((i: { value: string }) => i.value)).toEqual([QUIC, CHROME, CURL].sort());
    expect(store.lastFingerprintQuery).toMatchObject({ sort: "value", order: "asc" });
  });

  it("passes a JA4 section filter through to the store", async () => {
    const r = await get("/api/v1/fingerprints?ja4_b=8daaf6152771");
    expect(r.statusCode).toBe(200);
    expect(store.lastFingerprintQuery).toEqual({
      kind: "ja4",
      ja4Section: { section: "b", value: "8daaf6152771" },
      limit: 100,
      offset: 0,
    });
    expect(r.json().items.map((i: { value: string }) => i.value)).toEqual([CHROME]);
    await get("/api/v1/fingerprints?ja4_a=q13d0312h3");
    expect(store.lastFingerprintQuery?.ja4Section).toEqual({ section: "a", value: "q13d0312h3" });
  });

  it("passes value, prefix, sni and time range", async () => {
    await get("/api/v1/fingerprints?prefix=t13d&sni=a.example&since=1795247940000");
    expect(store.lastFingerprintQuery).toEqual({
      prefix: "t13d",
      sni: "a.example",
      since: 1_795_247_940_000,
      limit: 100,
      offset: 0,
    });
    await get("/api/v1/fingerprints?value=abc&until=2026-11-21T08:00:00Z");
    expect(store.lastFingerprintQuery).toMatchObject({
      value: "abc",
      until: Date.parse("2026-11-21T08:00:00Z"),
    });
  });

  it.each([
    ["limit=5000", "querystring/limit", "querystring/limit must be <= 1000"],
    ["limit=0", "querystring/limit", "querystring/limit must be >= 1"],
    ["limit=ten", "querystring/limit", "querystring/limit must be integer"],
    ["offset=-1", "querystring/offset", "querystring/offset must be >= 0"],
    [
      "type=md5",
      "querystring/type",
      "querystring/type must be one of: ja4, ja3, ja3s, sni, ja4_sni",
    ],
    ["sort=size", "querystring/sort", undefined],
    ["order=up", "querystring/order", undefined],
    ["since=yesterday", "querystring/since", undefined],
    ["since=2000&until=1000", "querystring/until", undefined],
    ["ja4_a=zzzzzzzzzz", "querystring/ja4_a", undefined],
    ["ja4_b=XYZ", "querystring/ja4_b", undefined],
    ["ja4_b=8daaf6152771&ja4_c=e5627efa2ab1", "querystring/ja4_c", undefined],
    ["ja4_a=t13d1516h2&type=ja3", "querystring/ja4_a", undefined],
    ["value=a&prefix=b", "querystring/prefix", undefined],
    ["colour=red", "querystring/colour", "querystring/colour is not a known parameter"],
  ])("400 for %s naming %s", async (qs, parameter, message) => {
    const r = await get(`/api/v1/fingerprints?${qs}`);
    expect(r.statusCode).toBe(400);
    const body = r.json();
    expect(body.error).toBe("Bad Request");
    expect(body.parameter).toBe(parameter);
    expect(body.message.startsWith(parameter)).toBe(true);
    if (message) expect(body.message).toBe(message);
  });
});

describe("GET /api/v1/fingerprints/:value", () => {
  it("returns a JA4's aggregates, top SNIs and top clients", async () => {
    const r = await get(`/api/v1/fingerprints/${CHROME}`);
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body).toMatchObject({ kind: "ja4", value: CHROME, count: 3 });
    expect(body.top_snis).toEqual([
      { value: "a.example", count: 2 },
      { value: "b.example", count: 1 },
    ]);
    expect(body.top_clients[0]).toEqual({ value: "10.0.0.1", count: 2 });
  });

  it("detects a JA3 (32 hex, any case) and shows its label", async () => {
    const ja3 = "e7d705a3286e19ea42f587b344ee6865";
    store.putLabels([{ kind: "ja3", value: ja3, label: { application: "curl", source: "tlsfp" } }]);
    const r = await get(`/api/v1/fingerprints/${ja3.toUpperCase()}`);
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({
      kind: "ja3",
      value: ja3,
      count: 1,
      label: { application: "curl", source: "tlsfp" },
    });
  });

  it("404 for a well-formed value never seen", async () => {
    const r = await get("/api/v1/fingerprints/00000000000000000000000000000000");
    expect(r.statusCode).toBe(404);
    expect(r.json()).toEqual({
      error: "Not Found",
      message: "fingerprint 00000000000000000000000000000000 has not been seen",
    });
  });

  it.each([
    "abc",
    "e7d705a3286e19ea42f587b344ee686", // 31 hex
    "t13d1516h2_8daaf6152771_e5627efa2ab", // 35 chars
    "x13d1516h2_8daaf6152771_e5627efa2ab1", // bad transport
    "t13d1516h2-8daaf6152771-e5627efa2ab1",
  ])("400 naming params/value for %s", async (v) => {
    const r = await get(`/api/v1/fingerprints/${v}`);
    expect(r.statusCode).toBe(400);
    expect(r.json().parameter).toBe("params/value");
    expect(r.json().message).toMatch(/^params\/value must be a JA3\/JA3S/);
  });
});

describe("GET /api/v1/handshakes", () => {
  it("returns EVE events newest first with seq, paginated", async () => {
    const r = await get("/api/v1/handshakes?limit=2");
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.total).toBe(5);
    expect(body.items).toHaveLength(2);
    expect(body.items[0]).toMatchObject({
      seq: 5,
      event_type: "quic",
      app_proto: "quic",
      proto: "UDP",
      quic: { sni: "q.example", ja4: QUIC },
    });
    expect(body.items[1].tls.ja4).toBe(CURL);
    expect(body.items[1].timestamp).toBe("2026-11-21T07:59:03.000000+0000");
    const next = (await get("/api/v1/handshakes?limit=2&offset=4")).json();
    expect(next.items.map((i: { seq: number }) => i.seq)).toEqual([1]);
  });

  it("maps filters to the store query", async () => {
    const r = await get(
      `/api/v1/handshakes?ja4=${CHROME}&sni=a.example&client_ip=10.0.0.1&server_ip=10.77.0.2&transport=tcp&ja3=ABCDEF`,
    );
    expect(r.statusCode).toBe(200);
    expect(store.lastHandshakeQuery).toEqual({
      ja4: CHROME,
      ja3: "abcdef",
      sni: "a.example",
      clientIp: "10.0.0.1",
      serverIp: "10.77.0.2",
      transport: "tcp",
      limit: 100,
      offset: 0,
    });
    expect(r.json().total).toBe(0);
    const hit = await get(`/api/v1/handshakes?ja4=${CHROME}&sni=a.example&client_ip=10.0.0.1`);
    expect(hit.json().total).toBe(2);
  });

  it.each([
    ["transport=sctp", "querystring/transport"],
    ["limit=1001", "querystring/limit"],
    ["until=not-a-date", "querystring/until"],
    ["page=2", "querystring/page"],
  ])("400 for %s", async (qs, parameter) => {
    const r = await get(`/api/v1/handshakes?${qs}`);
    expect(r.statusCode).toBe(400);
    expect(r.json().parameter).toBe(parameter);
  });
});

describe("GET /api/v1/stats, /healthz, /metrics", () => {
  it("stats shows data plane, ingest, store and api", async () => {
    const r = await get("/api/v1/stats");
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({
      dataplane: {
        running: true,
        restarts: 2,
        heartbeat_age_ms: 120,
        counters: { packets: 1000, handshakes: 7, reassembly_timeout: 3 },
        ring_depth: 5,
        drops: 1,
        cycles_per_packet: 412.5,
      },
      ingest: { records: 7, batches: 3, errors: 0, last_batch_at: 1_795_247_940_000 },
      store: {
        ingested: 5,
        history_rows: 5,
        history_skipped: 0,
        aggregates: { ja4: 3, ja3: 2, ja3s: 1, sni: 4, ja4_sni: 0 },
        last_flush: 0,
      },
      api: { stream_clients: 0, stream_dropped: 0 },
    });
  });

  it("healthz", async () => {
    const r = await get("/healthz");
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ status: "ok", dataplane: true });
  });

  it("metrics exposes data plane counters by name, store gauges and request latency", async () => {
    await get("/api/v1/stats");
    const r = await get("/metrics");
    expect(r.statusCode).toBe(200);
    expect(r.headers["content-type"]).toMatch(/^text\/plain/);
    const text = r.body;
    expect(text).toMatch(/^tlsfp_handshakes_total 7$/m);
    expect(text).toMatch(/^tlsfp_packets_total 1000$/m);
    expect(text).toMatch(/^tlsfp_reassembly_timeout_total 3$/m);
    expect(text).toMatch(/^tlsfp_records_dropped_total 0$/m);
    expect(text).toMatch(/^tlsfp_dataplane_restarts_total 2$/m);
    expect(text).toMatch(/^tlsfp_dataplane_cycles_per_packet 412.5$/m);
    expect(text).toMatch(/^tlsfp_dataplane_ring_depth 5$/m);
    expect(text).toMatch(/^tlsfp_store_aggregates\{kind="ja4"\} 3$/m);
    expect(text).toMatch(
      /^tlsfp_api_request_duration_seconds_count\{method="GET",route="\/api\/v1\/stats",status_code="200"\} 1$/m,
    );
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
  });
});

describe("errors", () => {
  it("404 JSON for an unknown route", async () => {
    const r = await get("/api/v1/nope?x=1");
    expect(r.statusCode).toBe(404);
    expect(r.json()).toEqual({ error: "Not Found", message: "no route GET /api/v1/nope" });
  });

  it("500 without internals when the store throws", async () => {
    store.recentHandshakes = () => {
      throw new Error("SQLITE_CORRUPT at /secret/path");
    };
    const r = await get("/api/v1/handshakes");
    expect(r.statusCode).toBe(500);
    expect(r.json()).toEqual({
      error: "Internal Server Error",
      message: "internal error (see the server log)",
    });
    expect(r.body).not.toContain("secret");
  });
});

describe("PUT /api/v1/labels", () => {
  const body = {
    labels: [{ kind: "ja4", value: CHROME, application: "Chromium 156", notes: "lab" }],
  };
  const put = (headers: Record<string, string>, payload: unknown = body) =>
    app.inject({ method: "PUT", url: "/api/v1/labels", headers, payload: payload as object });

  it("401 without a token", async () => {
    const r = await put({});
    expect(r.statusCode).toBe(401);
    expect(r.headers["www-authenticate"]).toBe('Bearer realm="tlsfp"');
    expect(r.json().message).toMatch(/missing bearer token/);
    expect(store.labels.size).toBe(0);
  });

  it("403 with a wrong token", async () => {
    const r = await put({ authorization: "Bearer nope" });
    expect(r.statusCode).toBe(403);
    expect(r.json()).toEqual({ error: "Forbidden", message: "invalid bearer token" });
    expect(store.labels.size).toBe(0);
  });

  it("200 with the right token; the label shows on the fingerprint", async () => {
    const r = await put({ authorization: `Bearer ${TOKEN}` });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ stored: 1 });
    const fp = (await get(`/api/v1/fingerprints/${CHROME}`)).json();
    expect(fp.label).toEqual({ application: "Chromium 156", source: "user", notes: "lab" });
  });

  it("400 naming the body field", async () => {
    const r = await put(
      { authorization: `Bearer ${TOKEN}` },
      { labels: [{ kind: "md5", value: "x", application: "y" }] },
    );
    expect(r.statusCode).toBe(400);
    expect(r.json().parameter).toBe("body/labels/0/kind");
    const r2 = await put({ authorization: `Bearer ${TOKEN}` }, { labels: [{ kind: "ja4" }] });
    expect(r2.json()).toMatchObject({ parameter: "body/labels/0/value" });
  });

  it("400 naming the body for malformed JSON", async () => {
    const r = await app.inject({
      method: "PUT",
      url: "/api/v1/labels",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      payload: "{not json",
    });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ error: "Bad Request", parameter: "body" });
  });

  it("403 when no token is configured", async () => {
    const open = await buildApp({ store, docs: false });
    const r = await open.inject({
      method: "PUT",
      url: "/api/v1/labels",
      headers: { authorization: "Bearer anything" },
      payload: body,
    });
    await open.close();
    expect(r.statusCode).toBe(403);
    expect(r.json().message).toMatch(/no API token is configured/);
  });
});

describe("/docs", () => {
  it("serves OpenAPI JSON listing every route", async () => {
    const r = await get("/docs/json");
    expect(r.statusCode).toBe(200);
    const doc = r.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        "/api/v1/fingerprints",
        "/api/v1/fingerprints/{value}",
        "/api/v1/handshakes",
        "/api/v1/handshakes/stream",
        "/api/v1/labels",
        "/api/v1/stats",
        "/healthz",
        "/metrics",
      ].sort(),
    );
    const params = doc.paths["/api/v1/fingerprints"].get.parameters.map(
      (p: { name: string }) => p.name,
    );
    expect(params).toContain("ja4_b");
    expect(doc.paths["/api/v1/labels"].put.security).toEqual([{ bearer: [] }]);
  });

  it("serves the Swagger UI", async () => {
    const r = await get("/docs/");
    expect(r.statusCode).toBe(200);
    expect(r.headers["content-type"]).toMatch(/text\/html/);
  });
});
