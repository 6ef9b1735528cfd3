import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../src/api/app.js";
import { decode, type ProtoMessage, wantsProtobuf } from "../../src/api/proto.js";
import type { RuntimeStats } from "../../src/api/types.js";
import { FakeStore } from "../helpers/fake-store.js";
import { fakeRecord } from "../helpers/record.js";

const CHROME = "t13d1516h2_8daaf6152771_e5627efa2ab1";
const PB = "application/x-protobuf";

const stats: RuntimeStats = {
  dataplane: {
    running: true,
    restarts: 1,
    heartbeatAgeMs: 50,
    counters: { packets: 12, handshakes: 3 },
    ringDepth: 0,
    drops: 0,
  },
  ingest: { records: 3, batches: 1, errors: 0, lastBatchAt: 1_795_247_940_000 },
};

let app: FastifyInstance;

beforeAll(async () => {
  const store = new FakeStore();
  store.ingest([
    fakeRecord({ ja4: CHROME, vlan: [10, 20] }),
    fakeRecord({ ja4: CHROME, sni: null, flags: { ...fakeRecord().flags, hasSni: false } }),
    fakeRecord({ transport: "quic", proto: "UDP", ja3s: null, serverAlpns: null }),
  ]);
  store.putLabels([
    { kind: "ja4", value: CHROME, label: { application: "Chromium", source: "tlsfp" } },
  ]);
  app = await buildApp({ store, stats: () => stats, docs: false });
});
afterAll(async () => {
  await app.close();
});

/** Proto3 leaves out empty arrays/maps and zeros; drop them from the JSON side too to compare. */
function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const n = normalize(x);
      if (n === 0 || n === "" || n === false || n === null) continue;
      if (Array.isArray(n) && n.length === 0) continue;
      if (n && typeof n === "object" && !Array.isArray(n) && Object.keys(n).length === 0) continue;
      out[k] = n;
    }
    return out;
  }
  return v;
}

async function both(url: string, message: ProtoMessage) {
  const json = await app.inject({ url, headers: { accept: "application/json" } });
  const pb = await app.inject({ url, headers: { accept: PB } });
  expect(json.statusCode).toBe(200);
  expect(pb.statusCode).toBe(200);
  expect(json.headers["content-type"]).toMatch(/^application\/json/);
  expect(pb.headers["content-type"]).toBe(PB);
  expect(pb.headers.vary).toBe("Accept");
  return { json: json.json(), decoded: decode(message, pb.rawPayload) };
}

describe("protobuf responses decode to the JSON ones", () => {
  it.each([
    ["/api/v1/fingerprints?type=ja4", "FingerprintPage"],
    [`/api/v1/fingerprints/${CHROME}`, "Fingerprint"],
    ["/api/v1/handshakes", "HandshakePage"],
    ["/api/v1/stats", "Stats"],
  ] as const)("%s", async (url, message) => {
    const { json, decoded } = await both(url, message);
    expect(normalize(decoded)).toEqual(normalize(json));
  });

  it("keeps the EVE fields of a handshake", async () => {
    const { decoded } = await both("/api/v1/handshakes?limit=3", "HandshakePage");
    const items = decoded.items as Record<string, unknown>[];
    expect(items).toHaveLength(3);
    expect(items[0]).toMatchObject({
      seq: 3,
      event_type: "quic",
      proto: "UDP",
      flow_id: 1234567890123,
    });
    expect(items[2]).toMatchObject({
      vlan: [10, 20],
      tls: { sni: "example.com", ja4: CHROME, ja3s: { hash: "0123456789abcdef0123456789abcdef" } },
    });
    expect(items[1]?.tls).not.toHaveProperty("sni");
  });

  it("errors stay JSON even when protobuf is asked for", async () => {
    const r = await app.inject({ url: "/api/v1/fingerprints?limit=0", headers: { accept: PB } });
    expect(r.statusCode).toBe(400);
    expect(r.headers["content-type"]).toMatch(/^application\/json/);
    expect(r.json().parameter).toBe("querystring/limit");
    const nf = await app.inject({
      url: `/api/v1/fingerprints/${"0".repeat(32)}`,
      headers: { accept: PB },
    });
    expect(nf.statusCode).toBe(404);
    expect(nf.json().error).toBe("Not Found");
  });
});

describe("Accept negotiation", () => {
  it.each([
    [undefined, false],
    ["*/*", false],
    ["application/json", false],
    [PB, true],
    ["application/protobuf", true],
    [`application/json;q=0.5, ${PB}`, true],
    [`${PB};q=0.1, application/json`, false],
    [`${PB}, application/json`, true],
    [`${PB};q=0`, false],
    ["text/html", false],
  ])("%s → protobuf %s", (accept, expected) => {
    expect(wantsProtobuf(accept)).toBe(expected);
  });
});
